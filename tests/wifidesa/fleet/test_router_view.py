"""One router's page: its history over the last 30 days in stretches, its day rows with their
availability in WITA days, the month so far, and not found outside the scope."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session
from wdtest.factories import make_admin, make_router, make_site
from wdtest.fleet import POLL, T0, answer, fail, poll

from wifidesa.admin.scope import OPERATOR, scope_of
from wifidesa.crypto import SecretBox
from wifidesa.db.models import AdminRole, Router
from wifidesa.errors import NotFound
from wifidesa.fleet.availability import TimeClass
from wifidesa.fleet.router_view import router_view

END = T0 + timedelta(hours=3)  # 13:00 WITA on 10 March 2026


def _history(session: Session, router: Router) -> None:
    """Up from 10:00 WITA, unreachable 10:20-10:50 (charged), up again until 13:00."""
    at, uptime = T0, 3600
    while at <= END:
        minute = (at - T0).total_seconds() / 60
        if 20 <= minute < 50:
            poll(session, fail(router, at))
        else:
            poll(session, answer(router, at, uptime, cpu_load=7, hotspot_active=4))
        at += POLL
        uptime += int(POLL.total_seconds())


def test_a_routers_history_days_and_month_come_from_its_polls(
    session: Session, box: SecretBox
) -> None:
    router = make_router(session, box)
    _history(session, router)
    view = router_view(session=session, scope=OPERATOR, router_id=router.id, now=END)
    kinds = [(s.kind, s.start, s.end) for s in view.stretches]
    assert kinds[1:] == [
        (TimeClass.UP, T0, T0 + timedelta(minutes=20)),
        (TimeClass.OUTAGE, T0 + timedelta(minutes=20), T0 + timedelta(minutes=50)),
        (TimeClass.UP, T0 + timedelta(minutes=50), END),
    ]
    assert kinds[0] == (TimeClass.NO_DATA, END - timedelta(days=30), T0)
    today = view.days[0]
    assert today.day == date(2026, 3, 10) and len(view.days) == 31  # 9 Feb .. 10 Mar
    assert today.polls is not None and today.polls.polls == 37 and today.polls.answered == 31
    assert (today.polls.cpu_max, today.polls.active_max) == (7, 4)
    assert today.availability.outage_seconds == 30 * 60 and today.availability.outages == 1
    assert view.days[1].polls is None and view.days[1].availability.percent is None  # no data
    assert view.month_first == date(2026, 3, 1)
    assert view.month.percent == pytest.approx(100 * 150 / 180)
    # all it knows lies in both; the 30 days reach further back into no data
    assert view.window.known_seconds == view.month.known_seconds == 3 * 3600
    assert view.window.no_data_seconds > view.month.no_data_seconds
    assert view.health.availability_30d == pytest.approx(100 * 150 / 180)


def test_another_kabupatens_router_is_not_found(session: Session, box: SecretBox) -> None:
    elsewhere = make_router(session, box, site=make_site(session, kabupaten="64.05"))
    admin = make_admin(
        session=session,
        username="kukar",
        password="kukar-password-1",
        role=AdminRole.KABUPATEN,
        region_code="64.03",
    )
    with pytest.raises(NotFound):
        router_view(session=session, scope=scope_of(admin), router_id=elsewhere.id, now=END)
    with pytest.raises(NotFound):
        router_view(session=session, scope=OPERATOR, router_id=elsewhere.id + 1000, now=END)
