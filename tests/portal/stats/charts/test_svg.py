"""The SVG element: well-formed, named for screen readers, scalable, nothing from outside."""

from __future__ import annotations

import re

import pytest
from wdtest.svg import NS, parse, shapes, svg_of

from portal.stats.charts import Figure, render
from portal.stats.charts.shapes import Dot, Line, Polyline, Rect, Text

HOSTILE = "<script>alert(1)</script> & 'quoted' \"double\" ]]> <!-- -->"


def figure() -> Figure:
    shape_list = [
        Rect(1, 2, 30.126, 4, "#0072B2", "#ffffff", tip=HOSTILE),
        Line(0, 0, 10, 10, "#000000", dashed=True),
        Polyline(((0, 1), (2.5, 3.333)), "#D55E00", dashed=True),
        Dot(5, 5, 3, "#0072B2", tip="5 GB"),
        Text(1, 2, HOSTILE, anchor="middle", bold=True, italic=True),
    ]
    return Figure(320, 200, HOSTILE, "desc " + HOSTILE, shape_list)


def test_the_element_is_an_image_named_and_described_for_screen_readers() -> None:
    markup, root = svg_of(figure(), "trend-1")

    assert root.tag == f"{NS}svg"
    assert root.attrib["role"] == "img"
    assert root.attrib["aria-labelledby"] == "trend-1-title"
    assert root.attrib["aria-describedby"] == "trend-1-desc"
    title, desc = root.find(f"{NS}title"), root.find(f"{NS}desc")
    assert title is not None and title.attrib["id"] == "trend-1-title" and title.text == HOSTILE
    assert desc is not None and desc.attrib["id"] == "trend-1-desc"
    assert markup.startswith("<svg")


def test_it_scales_to_its_box_and_keeps_its_proportions() -> None:
    _, root = svg_of(figure())

    assert root.attrib["viewBox"] == "0 0 320 200"
    assert root.attrib["width"] == "100%"
    assert "height" not in root.attrib
    assert "height:auto" in root.attrib["style"]
    assert "max-width:560px" in root.attrib["style"]


def test_every_text_is_escaped() -> None:
    markup, root = svg_of(figure())

    assert "<script" not in markup and "<!--" not in markup
    (text,) = shapes(root, "text")
    assert text.text == HOSTILE
    assert shapes(root, "rect")[0].find(f"{NS}title").text == HOSTILE  # type: ignore[union-attr]


def test_characters_xml_forbids_are_dropped() -> None:
    bad = Figure(10, 10, "Desa\x00 Baru\x1b\x08", "", [Text(0, 0, "a\x0cb\ttab")])

    root = parse(render(bad, element_id="c"))

    assert root.find(f"{NS}title").text == "Desa Baru"  # type: ignore[union-attr]
    assert shapes(root, "text")[0].text == "ab\ttab"


def test_nothing_refers_outside_the_element() -> None:
    markup, _ = svg_of(figure())

    without_namespace = markup.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert not re.search(
        r"href|url\(|http|<script|<style|<image|<foreignObject|@import", without_namespace
    )


def test_shapes_keep_their_numbers() -> None:
    _, root = svg_of(figure())

    rect = shapes(root, "rect")[0]
    assert (rect.attrib["x"], rect.attrib["width"], rect.attrib["fill"]) == (
        "1",
        "30.13",
        "#0072B2",
    )
    assert shapes(root, "polyline")[0].attrib["points"] == "0,1 2.5,3.33"
    assert shapes(root, "line")[0].attrib["stroke-dasharray"] == "4 3"
    text = shapes(root, "text")[0]
    assert (text.attrib["text-anchor"], text.attrib["font-weight"]) == ("middle", "bold")


@pytest.mark.parametrize("bad_id", ["", "1chart", 'a"b', "a b", "a<b"])
def test_an_unusable_element_id_is_refused(bad_id: str) -> None:
    with pytest.raises(ValueError, match="not an id"):
        render(figure(), element_id=bad_id)
