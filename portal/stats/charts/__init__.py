"""Charts drawn on the server as inline SVG: a daily trend, labelled bars, a weekday-by-hour
heatmap. Each kind lays out a `Figure` of plain shapes from plain data; `svg.render` writes it
as markup for a page (a PDF report can draw the same figure)."""

from portal.stats.charts.bars import Bar, bar_chart
from portal.stats.charts.heatmap import heatmap
from portal.stats.charts.shapes import Figure
from portal.stats.charts.svg import render
from portal.stats.charts.trend import Series, daily_trend

__all__ = ["Bar", "Figure", "Series", "bar_chart", "daily_trend", "heatmap", "render"]
