"""The daily trend: points where the numbers put them, days without data apart from zero."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest
from wdtest.svg import number, points, shapes, svg_of, texts, tip

from portal.stats.charts import Series, daily_trend
from portal.stats.charts import scale as chart_scale
from wifidesa.i18n import gettext_for
from wifidesa.stats.sheets import Kind

START = date(2026, 3, 1)


def days(count: int) -> list[date]:
    return [START + timedelta(days=n) for n in range(count)]


def trend(*series: Series, count: int | None = None, language: str = "en"):  # type: ignore[no-untyped-def]
    n = len(series[0].values) if count is None else count
    figure = daily_trend(
        days=days(n),
        series=list(series),
        title="Daily use",
        language=language,
        gettext=gettext_for(language),
    )
    return svg_of(figure)


def gridlines(root) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """Each axis label's text -> the y of its gridline (a label sits 4 units below it)."""
    labels = [t for t in shapes(root, "text") if t.attrib.get("text-anchor") == "end"]
    return {t.text or "": number(t, "y") - 4 for t in labels}


def test_points_sit_at_their_day_and_value() -> None:
    _, root = trend(Series("Sessions", Kind.INTEGER, [0, 5, 10]))

    (line,) = shapes(root, "polyline")
    (x0, y0), (x1, y1), (x2, y2) = points(line)
    grid = gridlines(root)
    assert set(grid) == {"0", "5", "10"}
    assert (y0, y1, y2) == pytest.approx((grid["0"], grid["5"], grid["10"]), abs=0.01)
    assert x1 - x0 == pytest.approx(x2 - x1, abs=0.02)  # days evenly spaced
    # each point is in the middle of its day's third of the plot
    baseline = next(
        line for line in shapes(root, "line") if line.attrib["stroke"] == chart_scale.FRAME
    )
    left, right = number(baseline, "x1"), number(baseline, "x2")
    assert x0 == pytest.approx(left + (right - left) / 6, abs=0.02)
    assert x2 == pytest.approx(right - (right - left) / 6, abs=0.02)
    assert [tip(dot) for dot in shapes(root, "circle")] == [
        "1 Mar 2026: 0",
        "2 Mar 2026: 5",
        "3 Mar 2026: 10",
    ]


def test_days_without_data_are_a_grey_band_and_break_the_line() -> None:
    _, root = trend(Series("Sessions", Kind.INTEGER, [1, None, None, 3, 4]))

    (band,) = [r for r in shapes(root, "rect") if r.attrib["fill"] == chart_scale.NO_DATA and
               number(r, "height") > 20]  # fmt: skip
    (line,) = shapes(root, "polyline")
    dots = shapes(root, "circle")
    xs = [number(d, "cx") for d in dots]
    assert len(dots) == 3  # no point for a day without data
    assert [x for x, _ in points(line)] == pytest.approx(xs[1:], abs=0.01)  # days 4 and 5
    # the band covers days 2 and 3 exactly: from between day 1 and 2 to between 3 and 4
    step = (xs[1] - xs[0]) / 3
    assert number(band, "x") == pytest.approx(xs[0] + step / 2, abs=0.02)
    assert number(band, "width") == pytest.approx(2 * step, abs=0.02)
    assert "no data" in texts(root)


def test_a_day_of_zero_is_a_point_on_the_zero_line_not_a_gap() -> None:
    _, root = trend(Series("Sessions", Kind.INTEGER, [0, None]))

    (dot,) = shapes(root, "circle")
    assert number(dot, "cy") == pytest.approx(gridlines(root)["0"], abs=0.01)
    assert tip(dot) == "1 Mar 2026: 0"
    bands = [r for r in shapes(root, "rect") if r.attrib["fill"] == chart_scale.NO_DATA]
    assert number(bands[0], "x") > number(dot, "cx")


def test_a_single_day_is_drawn_as_a_dot() -> None:
    _, root = trend(Series("Data", Kind.OCTETS, [3 * 1024**3]))

    assert shapes(root, "polyline") == []
    (dot,) = shapes(root, "circle")
    assert tip(dot) == "1 Mar 2026: 3 GB"
    assert "1 Mar" in texts(root)


def test_all_zeros_draw_an_axis_from_zero_to_one() -> None:
    _, root = trend(Series("Sessions", Kind.INTEGER, [0] * 7))

    grid = gridlines(root)
    assert set(grid) == {"0", "1"}
    ys = [y for _, y in points(shapes(root, "polyline")[0])]
    assert ys == pytest.approx([grid["0"]] * 7, abs=0.01)


def test_no_days_at_all_still_draws_and_says_so() -> None:
    markup, root = trend(Series("Sessions", Kind.INTEGER, []))

    assert shapes(root, "polyline") == [] and shapes(root, "circle") == []
    assert "No data for this period." in markup
    assert "no data" in texts(root)


def test_huge_values_get_readable_labels_and_stay_in_the_drawing() -> None:
    _, root = trend(Series("Data", Kind.OCTETS, [10**15, 10**14, None, 0]))

    labels = set(gridlines(root))
    assert "0 B" in labels and all(label.endswith(("TB", " B")) for label in labels)
    width, height = map(float, root.attrib["viewBox"].split()[2:])
    for x, y in points(shapes(root, "polyline")[0]):
        assert 0 <= x <= width and 0 <= y <= height and math.isfinite(x + y)


def test_two_series_each_get_a_panel_with_their_own_axis() -> None:
    _, root = trend(
        Series("Data", Kind.OCTETS, [1024**3, 2 * 1024**3]),
        Series("Devices", Kind.INTEGER, [40, 80]),
    )

    first, second = shapes(root, "polyline")
    assert first.attrib["stroke"] != second.attrib["stroke"]
    assert "stroke-dasharray" in second.attrib  # told apart without colour too
    assert min(y for _, y in points(second)) > max(y for _, y in points(first))  # below it
    assert {"Data", "Devices", "2 GB", "80"} <= set(texts(root))


def test_day_labels_follow_the_language() -> None:
    _, root = trend(Series("Sesi", Kind.INTEGER, [1] * 40), language="id")

    assert any(t.endswith("Mar") for t in texts(root))
    assert "Per hari dari 1 Maret 2026 sampai 9 April 2026." in (
        root.find("{http://www.w3.org/2000/svg}desc").text or ""  # type: ignore[union-attr]
    )


def test_a_year_of_days_is_labelled_by_month() -> None:
    _, root = trend(Series("Sessions", Kind.INTEGER, [1] * 365))

    labels = [t.text for t in shapes(root, "text") if t.attrib.get("text-anchor") == "middle"]
    assert labels and all(label and label[-2:] in ("26", "27") for label in labels)
    assert shapes(root, "circle") == []  # a dot a day would be a smear


def test_a_series_name_is_escaped() -> None:
    markup, root = trend(Series('<script>alert("x")</script> & Co', Kind.INTEGER, [1, 2]))

    assert "<script" not in markup
    assert '<script>alert("x")</script> & Co' in texts(root)


@pytest.mark.parametrize("bad", [[-1.0], [math.nan], [math.inf]])
def test_a_negative_or_non_finite_value_is_refused(bad: list[float]) -> None:
    with pytest.raises(ValueError, match="finite number >= 0"):
        trend(Series("Sessions", Kind.INTEGER, bad))


def test_values_and_days_must_match() -> None:
    with pytest.raises(ValueError, match="3 values for 2 days"):
        trend(Series("Sessions", Kind.INTEGER, [1, 2, 3]), count=2)
