"""Each site's site-days summed per calendar month (`stats_site_months`): the villages of a
year (rankings, the areas one level down, the lists of problems) read 12 rows a village and
the site-days of the period's partial months at its ends, instead of 365 a village.

The rollup recomputes the months of the site-days it recomputes, reading only: the month's
other site-days summed by the database, plus the round's new rows. So a month is always the
sum of its site-days as they stand after the round, whatever order accounting arrives in.
One rollup at a time (the stats service), as for the area-day sketches.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, insert, select, tuple_
from sqlalchemy.orm import Session

from wifidesa.db.models import SiteDay, SiteMonth
from wifidesa.stats.periods import PeriodKind, period_of

if TYPE_CHECKING:
    from wifidesa.stats.rollup import Fetch

SUMMED = (
    "sessions",
    "devices",
    "online_seconds",
    "input_octets",
    "output_octets",
    "quota_accounts",
)
# Sites per query of stored sums (bound parameters stay well under SQLite's limit).
SITES_PER_QUERY = 1_000


def month_of(day: date) -> date:
    return day.replace(day=1)


@dataclass
class SiteMonths:
    """Site-months computed by a round: `keys` replaced by `rows` (a month left without any
    site-day has a key and no row)."""

    keys: set[tuple[int, date]] = field(default_factory=set)
    rows: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _Sums:
    values: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SUMMED, 0))
    days_heard: int = 0
    last_heard: datetime | None = None
    site_days: int = 0

    def add(self, values: dict[str, int], days_heard: int, last_heard: datetime | None) -> None:
        for name in SUMMED:
            self.values[name] += values[name]
        self.days_heard += days_heard
        if last_heard is not None and (self.last_heard is None or last_heard > self.last_heard):
            self.last_heard = last_heard


def compute_site_months(
    *, fetch: Fetch, site_days: Iterable[tuple[int, date]], rows: list[dict[str, Any]]
) -> SiteMonths:
    """The months that recomputed site-days (`site_days`, with their new `rows`) touch,
    reading only."""
    recomputed: dict[tuple[int, date], set[date]] = defaultdict(set)
    for site_id, day in set(site_days):
        recomputed[(site_id, month_of(day))].add(day)
    # Site-months whose recomputed days are the same are read together (a round over a day
    # of the province: one query a thousand sites), the month's other days summed.
    together: dict[tuple[date, frozenset[date]], list[int]] = defaultdict(list)
    for (site_id, month), days in recomputed.items():
        together[(month, frozenset(days))].append(site_id)
    sums: dict[tuple[int, date], _Sums] = defaultdict(_Sums)
    for (month, skipped), site_ids in sorted(together.items(), key=lambda item: item[0][0]):
        last = period_of(PeriodKind.MONTH, month).last
        ids = sorted(site_ids)
        for start in range(0, len(ids), SITES_PER_QUERY):
            for stored in fetch(
                _stored(ids[start : start + SITES_PER_QUERY], month, last, skipped)
            ):
                found = sums[(stored.site_id, month)]
                values = {name: int(getattr(stored, name)) for name in SUMMED}
                found.add(values, stored.heard, stored.last_heard)
                found.site_days += stored.site_days
    for row in rows:
        found = sums[(row["site_id"], month_of(row["day"]))]
        heard = row.get("last_heard")
        found.add({name: int(row.get(name) or 0) for name in SUMMED}, heard is not None, heard)
        found.site_days += 1
    return SiteMonths(
        keys=set(recomputed),
        rows=[
            {
                "site_id": site_id,
                "month": month,
                **found.values,
                "days_heard": found.days_heard,
                "last_heard": found.last_heard,
            }
            for (site_id, month), found in sorted(sums.items())
            if found.site_days
        ],
    )


def _stored(site_ids: list[int], first: date, last: date, days: frozenset[date]) -> Any:
    """The stored site-days of these sites in [first, last] but not on `days`, summed a site."""
    return (
        select(
            SiteDay.site_id,
            *(func.coalesce(func.sum(getattr(SiteDay, name)), 0).label(name) for name in SUMMED),
            func.count(SiteDay.last_heard).label("heard"),
            func.max(SiteDay.last_heard).label("last_heard"),
            func.count().label("site_days"),
        )
        .where(
            SiteDay.site_id.in_(site_ids),
            SiteDay.day >= first,
            SiteDay.day <= last,
            SiteDay.day.not_in(sorted(days)),
        )
        .group_by(SiteDay.site_id)
    )


def replace_site_months(*, session: Session, site_months: SiteMonths) -> None:
    """Put a round's site-months in place of the stored ones of its keys."""
    keys = sorted(site_months.keys)
    for start in range(0, len(keys), SITES_PER_QUERY):
        session.execute(
            delete(SiteMonth).where(
                tuple_(SiteMonth.site_id, SiteMonth.month).in_(
                    keys[start : start + SITES_PER_QUERY]
                )
            )
        )
    if site_months.rows:
        session.execute(insert(SiteMonth), site_months.rows)
