"""New and returning devices per site-day: a device is new on its first day at the site, and
late accounting of an earlier day makes it returning on the later one."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.orm import Session
from wdtest.factories import make_router, make_site

from wifidesa.crypto import SecretBox
from wifidesa.db.models import Router, Site
from wifidesa.stats import first_days
from wifidesa.stats.dirty import roll_up_dirty
from wifidesa.stats.first_days import DeviceDay, device_days
from wifidesa.usage.accounting import record_accounting
from wifidesa.usage.records import AcctEvent, AcctRecord

DEC_1 = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 10:00 WITA
DAYS = [date(2026, 12, d) for d in (1, 2, 3)]


def _online(session: Session, box: SecretBox, router: Router, day: int, mac: str) -> None:
    record = AcctRecord(
        event=AcctEvent.STOP,
        router_id=router.id,
        site_id=router.site_id,
        event_time=DEC_1 + timedelta(days=day, minutes=10),
        acct_session_id=f"{day}-{mac}",
        username="guest",
        mac=mac,
        session_time=600,
    )
    record_accounting(session=session, records=[record], box=box, now=DEC_1)
    while roll_up_dirty(session=session):
        pass


def _days(session: Session, site: Site) -> list[tuple[date, int, int, int]]:
    found = device_days(session=session, site_ids=[site.id], first=DAYS[0], last=DAYS[-1])
    return [(row.day, row.devices, row.new, row.returning) for row in found]


@pytest.mark.parametrize("lookup", [first_days.LOOKUP, 1])  # 1: a query per device
def test_a_device_is_new_on_its_first_day_and_returning_after(
    session: Session, box: SecretBox, monkeypatch: pytest.MonkeyPatch, lookup: int
) -> None:
    monkeypatch.setattr(first_days, "LOOKUP", lookup)
    site = make_site(session)
    router = make_router(session, box, site=site)
    other = make_router(session, box, site=make_site(session))
    session.flush()
    _online(session, box, router, 0, "02:00:00:00:00:01")
    _online(session, box, router, 1, "02:00:00:00:00:01")
    _online(session, box, router, 1, "02:00:00:00:00:02")
    _online(session, box, other, 0, "02:00:00:00:00:02")  # new there, not here
    assert _days(session, site) == [(DAYS[0], 1, 1, 0), (DAYS[1], 2, 1, 1)]

    _online(session, box, router, 2, "02:00:00:00:00:02")
    _online(session, box, router, 0, "02:00:00:00:00:02")  # late: it was here on the 1st
    assert _days(session, site) == [(DAYS[0], 2, 2, 0), (DAYS[1], 2, 0, 2), (DAYS[2], 1, 0, 1)]


def test_no_sites_have_no_days(session: Session) -> None:
    assert device_days(session=session, site_ids=[], first=DAYS[0], last=DAYS[-1]) == []
    assert DeviceDay(site_id=1, day=DAYS[0], devices=5, new=2).returning == 3
