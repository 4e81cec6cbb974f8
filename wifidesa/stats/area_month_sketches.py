"""Devices of a province or kabupaten per calendar month as one HyperLogLog sketch
(`stats_area_month_sketches`): the register-wise maximum of the month's day sketches
(wifidesa.stats.area_sketches), so a year's distinct devices merge 12 month sketches and the
day sketches of its partial months instead of 365 day sketches. Merging is exact for a
sketch: a month's sketch is the one its devices would give sketched at once.

The rollup recomputes the months of the area-days it recomputes, reading only: the month's
other day sketches as stored, plus the round's new ones. One rollup at a time (the stats
service), as for the day sketches.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, insert, select, tuple_
from sqlalchemy.orm import Session

from wifidesa.db.models import AreaDaySketch, AreaMonthSketch
from wifidesa.stats import hll
from wifidesa.stats.area_sketches import AreaDays
from wifidesa.stats.periods import Period, PeriodKind, period_of, whole_months

if TYPE_CHECKING:
    from wifidesa.stats.rollup import Fetch


@dataclass
class AreaMonths:
    """Area-months computed by a round: `keys` replaced by `rows` (a month left without any
    device has a key and no row)."""

    keys: set[tuple[str, date]] = field(default_factory=set)
    rows: list[dict[str, Any]] = field(default_factory=list)


def compute_area_months(*, fetch: Fetch, area_days: AreaDays) -> AreaMonths:
    """The month sketches of the area-days a round recomputed (`area_days`, with their new
    sketches), reading only."""
    recomputed: dict[tuple[str, date], set[date]] = defaultdict(set)
    for area, day in area_days.keys:
        recomputed[(area, day.replace(day=1))].add(day)
    new: dict[tuple[str, date], list[bytes]] = defaultdict(list)
    for row in area_days.rows:
        new[(row["area_code"], row["day"].replace(day=1))].append(row["registers"])
    found = AreaMonths(keys=set(recomputed))
    for (area, month), days in sorted(recomputed.items()):
        stored = fetch(
            select(AreaDaySketch.registers).where(
                AreaDaySketch.area_code == area,
                AreaDaySketch.day >= month,
                AreaDaySketch.day <= period_of(PeriodKind.MONTH, month).last,
                AreaDaySketch.day.not_in(sorted(days)),
            )
        )
        parts = [bytes(row.registers) for row in stored] + new[(area, month)]
        if parts:
            found.rows.append({"area_code": area, "month": month, "registers": hll.merge(parts)})
    return found


def replace_area_months(*, session: Session, area_months: AreaMonths) -> None:
    """Put a round's month sketches in place of the stored ones of its area-months."""
    if area_months.keys:
        session.execute(
            delete(AreaMonthSketch).where(
                tuple_(AreaMonthSketch.area_code, AreaMonthSketch.month).in_(
                    sorted(area_months.keys)
                )
            )
        )
    if area_months.rows:
        session.execute(insert(AreaMonthSketch), area_months.rows)


def period_sketch(*, session: Session, area: str, first: date, last: date) -> bytes:
    """The sketch of the area's devices from `first` to `last` (local days, inclusive): the
    month sketches of the calendar months wholly inside, the day sketches of the rest."""
    months = whole_months(Period(PeriodKind.CUSTOM, first, last))
    parts: Sequence[bytes]
    if months is None:
        parts = _day_sketches(session, area, first, last)
    else:
        first_month, last_month = months
        after = period_of(PeriodKind.MONTH, last_month).last + timedelta(days=1)
        parts = [
            *_day_sketches(session, area, first, first_month - timedelta(days=1)),
            *session.scalars(
                select(AreaMonthSketch.registers).where(
                    AreaMonthSketch.area_code == area,
                    AreaMonthSketch.month >= first_month,
                    AreaMonthSketch.month <= last_month,
                )
            ),
            *_day_sketches(session, area, after, last),
        ]
    return hll.merge([bytes(part) for part in parts])


def _day_sketches(session: Session, area: str, first: date, last: date) -> list[bytes]:
    if first > last:
        return []
    return list(
        session.scalars(
            select(AreaDaySketch.registers).where(
                AreaDaySketch.area_code == area,
                AreaDaySketch.day >= first,
                AreaDaySketch.day <= last,
            )
        )
    )
