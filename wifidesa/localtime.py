"""Days in a site's own time zone: stored times are UTC, days and months are local (WITA for
Kaltim), so a day's quota or statistics roll over at local midnight."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo


def local_day(moment: datetime, zone: str) -> date:
    """The local date of an aware moment in `zone`."""
    return moment.astimezone(ZoneInfo(zone)).date()


def local_midnight(day: date, zone: str) -> datetime:
    """The aware moment a local day starts in `zone`."""
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(zone))
