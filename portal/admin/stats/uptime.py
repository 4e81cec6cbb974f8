"""The routers' availability beside the statistics' usage: for the area and period a page
shows, and for each area one level down, from the one rule (wifidesa.fleet.availability)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.orm import Session

from wifidesa.admin.scope import Scope
from wifidesa.fleet.area_availability import area_availability
from wifidesa.fleet.availability import Availability, Per
from wifidesa.stats.periods import Period


@dataclass(frozen=True)
class Uptime:
    total: Availability = field(default_factory=Availability)
    children: dict[str, Availability] = field(default_factory=dict)  # by area key

    def of(self, key: str) -> float | None:
        """An area's availability in percent; None: no data (the poller never polled it)."""
        found = self.children.get(key)
        return None if found is None else found.percent


def area_uptime(
    *, session: Session, scope: Scope, key: str, period: Period, now: datetime, today: date
) -> Uptime:
    """The area's availability over the period so far (nothing for a period ahead)."""
    if period.first > today:
        return Uptime()
    found = area_availability(
        session=session,
        scope=scope,
        key=key,
        first_day=period.first,
        last_day=min(period.last, today),
        now=now,
        per=Per.PERIOD,
    )
    return Uptime(
        total=sum(found.total.values(), Availability()),
        children={
            area.key: sum(periods.values(), Availability()) for area, periods in found.children
        },
    )
