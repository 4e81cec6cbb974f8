"""A figure as inline SVG markup for a page: escaped, self-contained, accessible, scalable.

Every piece of text goes through `markupsafe.escape` (a village may be called `<script>`),
and characters XML forbids are dropped, so the markup also parses as XML on its own (a PDF
or an image converter reads it so). Nothing refers outside the element: no fonts, images,
styles or scripts, so the page's Content-Security-Policy (default-src 'none') has nothing to
refuse. Colours and lines are presentation attributes, not CSS.

The element is `role="img"` named by its <title> and described by its <desc>; the figures
themselves are in the table beside it, which screen readers read. It fills the width of its
box up to `MAX_SCALE` times its drawn width, and keeps its proportions (the viewBox).
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from portal.stats.charts.shapes import Dot, Figure, Line, Polyline, Rect, Shape

MAX_SCALE = 1.75  # on a desktop, text stays under ~21 px
# Chromium and Firefox have this on every platform; no font file is fetched.
FONT_FAMILY = "system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans',Arial,sans-serif"
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


def _text(value: str) -> Markup:
    return escape(_XML_FORBIDDEN.sub("", value))


def _n(value: float) -> str:
    """A coordinate with at most two decimals, no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _tip(tip: str | None) -> Markup:
    return Markup("<title>{}</title>").format(_text(tip)) if tip else Markup()


def _shape(shape: Shape) -> Markup:
    if isinstance(shape, Rect):
        stroke = Markup(' stroke="{}"').format(shape.stroke) if shape.stroke else Markup()
        body = Markup('x="{}" y="{}" width="{}" height="{}" fill="{}"').format(
            _n(shape.x), _n(shape.y), _n(shape.width), _n(shape.height), shape.fill
        )
        if shape.tip:
            return Markup("<rect {}{}>{}</rect>").format(body, stroke, _tip(shape.tip))
        return Markup("<rect {}{}/>").format(body, stroke)
    if isinstance(shape, Line):
        dash = Markup(' stroke-dasharray="4 3"') if shape.dashed else Markup()
        return Markup(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="{}"{}/>'
        ).format(
            _n(shape.x1),
            _n(shape.y1),
            _n(shape.x2),
            _n(shape.y2),
            shape.stroke,
            _n(shape.width),
            dash,
        )
    if isinstance(shape, Polyline):
        points = " ".join(f"{_n(x)},{_n(y)}" for x, y in shape.points)
        dash = Markup(' stroke-dasharray="6 4"') if shape.dashed else Markup()
        return Markup(
            '<polyline points="{}" fill="none" stroke="{}" stroke-width="{}"'
            ' stroke-linejoin="round"{}/>'
        ).format(points, shape.stroke, _n(shape.width), dash)
    if isinstance(shape, Dot):
        body = Markup('cx="{}" cy="{}" r="{}" fill="{}"').format(
            _n(shape.x), _n(shape.y), _n(shape.radius), shape.fill
        )
        if shape.tip:
            return Markup("<circle {}>{}</circle>").format(body, _tip(shape.tip))
        return Markup("<circle {}/>").format(body)
    extra = Markup()
    if shape.anchor != "start":
        extra += Markup(' text-anchor="{}"').format(shape.anchor)
    if shape.bold:
        extra += Markup(' font-weight="bold"')
    if shape.italic:
        extra += Markup(' font-style="italic"')
    return Markup('<text x="{}" y="{}" font-size="{}" fill="{}"{}>{}</text>').format(
        _n(shape.x), _n(shape.y), _n(shape.size), shape.fill, extra, _text(shape.text)
    )


def render(figure: Figure, *, element_id: str) -> Markup:
    """The figure as an <svg> element. `element_id` must be unique in the page: the title and
    description are referred to by ids made from it."""
    if not _ID.match(element_id):
        raise ValueError(f"not an id for an SVG element: {element_id!r}")
    title_id, desc_id = f"{element_id}-title", f"{element_id}-desc"
    head = Markup(
        '<svg xmlns="http://www.w3.org/2000/svg" id="{id}" class="chart" role="img"'
        ' aria-labelledby="{title_id}" aria-describedby="{desc_id}"'
        ' viewBox="0 0 {w} {h}" width="100%" style="max-width:{max}px;height:auto"'
        ' font-family="{font}" font-size="12">'
        '<title id="{title_id}">{title}</title><desc id="{desc_id}">{desc}</desc>'
    ).format(
        id=element_id,
        title_id=title_id,
        desc_id=desc_id,
        w=_n(figure.width),
        h=_n(figure.height),
        max=_n(figure.width * MAX_SCALE),
        font=FONT_FAMILY,
        title=_text(figure.title),
        desc=_text(figure.description),
    )
    return head + Markup("").join(_shape(s) for s in figure.shapes) + Markup("</svg>")
