"""A router's timeline: one band, each stretch its class's colour and tip, short outages
still visible, a tick at every WITA midnight, a legend of the classes shown."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from wdtest.svg import number, shapes, svg_of, texts, tip

from portal.stats.charts.timeline import COLOURS, MIN_MARK, state_timeline
from wifidesa.fleet.availability import Stretch, TimeClass
from wifidesa.i18n import english

START = datetime(2026, 3, 1, 16, 0, tzinfo=UTC)  # 2 March 00:00 WITA
END = START + timedelta(days=30)
LABELS = {kind: kind.value for kind in TimeClass}


def _draw(*stretches: Stretch) -> object:
    return state_timeline(
        stretches=stretches,
        start=START,
        end=END,
        zone="Asia/Makassar",
        labels=LABELS,
        title="The last 30 days",
        language="en",
        gettext=english,
    )


def test_each_stretch_is_drawn_in_its_class_and_a_five_minute_outage_still_shows() -> None:
    cut = START + timedelta(days=10, hours=3)
    figure = _draw(
        Stretch(TimeClass.NO_DATA, START, START + timedelta(days=2)),
        Stretch(TimeClass.UP, START + timedelta(days=2), cut),
        Stretch(TimeClass.OUTAGE, cut, cut + timedelta(minutes=5)),
        Stretch(TimeClass.UP, cut + timedelta(minutes=5), END),
    )
    _, root = svg_of(figure)  # type: ignore[arg-type]
    band = [r for r in shapes(root, "rect") if tip(r)]
    outage = next(r for r in band if r.attrib["fill"] == COLOURS[TimeClass.OUTAGE])
    assert number(outage, "width") == pytest.approx(MIN_MARK)
    assert tip(outage) == "outage: 12-03 03.00–12-03 03.05 (5m)"  # WITA times
    assert band.index(outage) == len(band) - 1  # on top of the up stretches
    up = [r for r in band if r.attrib["fill"] == COLOURS[TimeClass.UP]]
    assert len(up) == 2
    assert {"no_data", "up", "outage"} <= set(texts(root))  # the legend
    assert "power" not in texts(root)  # only the classes shown
    assert "3 Mar" in texts(root)  # a midnight tick labelled


def test_an_empty_history_is_described_as_no_data() -> None:
    figure = _draw()
    assert figure.description == "No data for this period."  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="end after start"):
        state_timeline(
            stretches=[],
            start=END,
            end=START,
            zone="Asia/Makassar",
            labels=LABELS,
            title="",
            language="en",
            gettext=english,
        )
