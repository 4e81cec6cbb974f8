"""The weekday-by-hour heatmap: each cell in its place and class, zero and no data apart."""

from __future__ import annotations

import pytest
from wdtest.svg import number, shapes, svg_of, texts, tip

from portal.stats.charts import heatmap
from portal.stats.charts import scale as chart_scale
from portal.stats.charts.heatmap import class_colours, classes
from wifidesa.i18n import gettext_for
from wifidesa.stats.sheets import Kind


def grid(value: float | None = 0.0) -> list[list[float | None]]:
    return [[value] * 24 for _ in range(7)]


def draw(values: list[list[float | None]], kind: Kind = Kind.INTEGER, language: str = "en"):  # type: ignore[no-untyped-def]
    figure = heatmap(
        values=values, kind=kind, title="When", language=language,
        gettext=gettext_for(language),
    )  # fmt: skip
    return svg_of(figure)


def cells(root):  # type: ignore[no-untyped-def]
    """The 168 cells, Monday 00 first (each has a tip naming its day and hour)."""
    found = [r for r in shapes(root, "rect") if tip(r) and number(r, "width") < 20]
    assert len(found) == 168
    return found


def test_cells_are_laid_out_monday_first_by_hour() -> None:
    values = grid()
    values[0][0], values[6][23] = 1, 2
    _, root = draw(values)

    found = cells(root)
    first, last = found[0], found[-1]
    assert tip(first) == "Mon 00:00: 1" and tip(last) == "Sun 23:00: 2"
    assert number(first, "x") < number(last, "x") and number(first, "y") < number(last, "y")
    xs = sorted({number(c, "x") for c in found})
    ys = sorted({number(c, "y") for c in found})
    assert len(xs) == 24 and len(ys) == 7
    assert [t for t in texts(root) if t.isalpha() and len(t) == 3] == [
        "Mon",
        "Tue",
        "Wed",
        "Thu",
        "Fri",
        "Sat",
        "Sun",
    ]


def test_shades_grow_darker_with_the_value_and_zero_and_no_data_stand_apart() -> None:
    values = grid()
    values[0][:6] = [None, 0, 10, 50, 90, 100]
    _, root = draw(values, language="id")

    fills = [c.attrib["fill"] for c in cells(root)[:6]]
    assert fills[0] == chart_scale.NO_DATA and fills[1] == chart_scale.ZERO
    ramp = list(chart_scale.SEQUENTIAL)
    shades = [ramp.index(f) for f in fills[2:]]
    assert shades == sorted(shades) and shades[-1] == len(ramp) - 1 and shades[0] < shades[-1]
    assert tip(cells(root)[0]) == "Sen 00.00: tidak ada data"
    slashes = [
        line for line in shapes(root, "line") if line.attrib["stroke"] == chart_scale.NO_DATA_MARK
    ]
    assert len(slashes) == 2  # the cell's and the legend's


def test_the_legend_names_no_data_zero_and_each_class_bound() -> None:
    values = grid()
    values[2][19] = 3 * 1024**3
    _, root = draw(values, kind=Kind.OCTETS)

    legend = texts(root)
    assert {"no data", "0", "≤ 1 GB", "≤ 2 GB", "≤ 3 GB"} <= set(legend)
    assert tip(cells(root)[2 * 24 + 19]) == "Wed 19:00: 3 GB"


def test_classes_are_round_steps_up_to_the_largest_value() -> None:
    assert classes(100, Kind.INTEGER) == [20, 40, 60, 80, 100]
    assert classes(3, Kind.INTEGER) == [1, 2, 3]
    assert classes(0, Kind.INTEGER) == [1]
    assert class_colours(1) == [chart_scale.SEQUENTIAL[-1]]
    assert class_colours(3)[-1] == chart_scale.SEQUENTIAL[-1]


@pytest.mark.parametrize(
    "values", [grid(None), grid(0.0), grid(1e15)], ids=["no-data", "zeros", "huge"]
)
def test_degenerate_grids_still_draw(values: list[list[float | None]]) -> None:
    _, root = draw(values, kind=Kind.OCTETS)

    assert len(cells(root)) == 168
    height = float(root.attrib["viewBox"].split()[3])
    assert all(number(c, "y") + number(c, "height") <= height for c in cells(root))


def test_a_grid_of_the_wrong_shape_is_refused() -> None:
    with pytest.raises(ValueError, match="7 rows"):
        draw([[0.0] * 24] * 6)
    with pytest.raises(ValueError, match="7 rows"):
        draw([[0.0] * 23] * 7)
