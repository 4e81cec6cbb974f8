"""The site-days of a province or kabupaten summed per local day (`stats_area_days`): the
daily trend, the weekday x hour grid and the headline of a region over a year read 365 rows
instead of its 365,000 site-days (a province's year page: see README, bench-stats).

Computed with the area-day sketches (wifidesa.stats.area_sketches), from the same read of
every site-day of the day in the province, so each area-day is always summed from scratch
from the site-days as they stand after the round: the sums equal the site-days' sums,
whatever order accounting arrives in. Same limits as the sketches: one rollup at a time, and
a site moved to another region moves in the days recomputed after the move only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement

from wifidesa.db.models import SiteDay
from wifidesa.db.models.statistics import HOURS, LENGTHS

# Site-day columns an area-day sums (lengths only over the site-days heard, as the headline
# of site-days counts them).
SUMMED = (
    "sessions",
    "devices",
    "online_seconds",
    "input_octets",
    "output_octets",
    "quota_accounts",
    *HOURS,
)
READ: tuple[ColumnElement[Any], ...] = tuple(
    getattr(SiteDay, name) for name in ("last_heard", *SUMMED, *LENGTHS)
)


def _empty() -> dict[str, int]:
    return dict.fromkeys(("sites_heard", *SUMMED, *LENGTHS), 0)


def group_sums(site_days: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """The sums of some site-days of one day (values by column name, as READ)."""
    sums = _empty()
    for values in site_days:
        for name in SUMMED:
            sums[name] += int(values.get(name) or 0)
        if values.get("last_heard") is not None:
            sums["sites_heard"] += 1
            for name in LENGTHS:
                sums[name] += int(values.get(name) or 0)
    return sums


def area_day_row(*, area: str, day: date, parts: Iterable[dict[str, int]]) -> dict[str, Any]:
    """An area-day's row from the sums of the groups of site-days it is made of."""
    row: dict[str, Any] = {"area_code": area, "day": day, **_empty()}
    for sums in parts:
        for name, value in sums.items():
            row[name] += value
    return row
