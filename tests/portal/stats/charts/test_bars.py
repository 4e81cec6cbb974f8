"""Labelled bars: lengths to scale from zero, labels escaped and fitted, no data in words."""

from __future__ import annotations

import pytest
from wdtest.svg import number, shapes, svg_of, texts, tip

from portal.stats.charts import Bar, bar_chart
from portal.stats.charts import scale as chart_scale
from wifidesa.i18n import gettext_for
from wifidesa.stats.sheets import Kind

HOSTILE = 'Desa <script>x()</script> & "Co"'


def bars(*items: Bar, kind: Kind = Kind.INTEGER, language: str = "en"):  # type: ignore[no-untyped-def]
    figure = bar_chart(
        bars=list(items), kind=kind, title="Top villages", language=language,
        gettext=gettext_for(language),
    )  # fmt: skip
    return svg_of(figure)


def value_bars(root):  # type: ignore[no-untyped-def]
    return [r for r in shapes(root, "rect") if r.attrib["fill"] == chart_scale.SERIES[0]]


def test_bar_lengths_are_to_scale_from_zero() -> None:
    _, root = bars(Bar("A", 100), Bar("B", 50), Bar("C", 25))

    a, b, c = value_bars(root)
    assert number(a, "x") == number(b, "x") == number(c, "x")
    assert number(b, "width") == pytest.approx(number(a, "width") / 2, abs=0.01)
    assert number(c, "width") == pytest.approx(number(a, "width") / 4, abs=0.01)
    assert number(a, "y") < number(b, "y") < number(c, "y")  # in the order given
    assert [tip(r) for r in (a, b, c)] == ["A: 100", "B: 50", "C: 25"]
    assert {"A", "B", "C", "100", "50", "25"} <= set(texts(root))


def test_the_longest_bar_and_its_value_fit_the_width() -> None:
    _, root = bars(Bar("Desa", 10**15), kind=Kind.OCTETS)

    width = float(root.attrib["viewBox"].split()[2])
    (bar,) = value_bars(root)
    value = next(t for t in shapes(root, "text") if t.text == "909.5 TB")
    assert number(value, "x") > number(bar, "x") + number(bar, "width")
    assert number(value, "x") + len("909.5 TB") * 10.5 * 0.62 <= width


def test_zero_is_a_hairline_and_no_data_is_said_apart() -> None:
    _, root = bars(Bar("Busy", 8), Bar("Idle", 0), Bar("Silent", None), language="id")

    busy, idle = value_bars(root)
    assert number(busy, "width") > 100
    assert 0 < number(idle, "width") < 2
    assert tip(idle) == "Idle: 0"
    assert "tidak ada data" in texts(root)
    grey = [r for r in shapes(root, "rect") if r.attrib["fill"] == chart_scale.NO_DATA]
    assert [tip(r) for r in grey] == ["Silent"]


def test_a_label_is_escaped_and_a_long_one_is_cut_with_its_full_text_kept() -> None:
    long_name = "Long Apari, Kecamatan Long Apari, Kabupaten Mahakam Ulu, Kalimantan Timur"
    markup, root = bars(Bar(HOSTILE, 3), Bar(long_name, 2))

    assert "<script" not in markup
    assert HOSTILE in texts(root)
    cut = next(t for t in texts(root) if t.startswith("Long Apari"))
    assert cut.endswith("…") and len(cut) < len(long_name)
    assert tip(value_bars(root)[1]) == f"{long_name}: 2"


def test_all_zero_bars_draw_hairlines() -> None:
    _, root = bars(Bar("A", 0), Bar("B", 0))

    assert [number(r, "width") for r in value_bars(root)] == [1.5, 1.5]


def test_no_bars_says_there_is_no_data() -> None:
    _, root = bars(language="id")

    assert texts(root) == ["Tidak ada data untuk periode ini."]
