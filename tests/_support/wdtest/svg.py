"""Charts read back as XML: the shapes of an SVG string by kind, with their numbers."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from markupsafe import Markup

from portal.stats.charts import Figure, render

NS = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ET.Element:
    """The <svg> element; fails if the markup is not well-formed XML (our own output)."""
    return ET.fromstring(str(markup))  # noqa: S314  # our own markup, not outside input


def svg_of(figure: Figure, element_id: str = "chart") -> tuple[Markup, ET.Element]:
    markup = render(figure, element_id=element_id)
    return markup, parse(markup)


def shapes(root: ET.Element, tag: str) -> list[ET.Element]:
    return root.findall(f"{NS}{tag}")


def number(element: ET.Element, name: str) -> float:
    return float(element.attrib[name])


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in shapes(root, "text")]


def tip(element: ET.Element) -> str | None:
    title = element.find(f"{NS}title")
    return None if title is None else title.text


def points(polyline: ET.Element) -> list[tuple[float, float]]:
    pairs = (p.split(",") for p in polyline.attrib["points"].split())
    return [(float(x), float(y)) for x, y in pairs]
