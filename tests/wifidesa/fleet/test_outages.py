"""The outage log: outages newest first with cause, start, end or still down, length and
village; a central-side incident one line with its routers, not one per router; paged;
scoped."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session
from wdtest.factories import make_admin, make_router, make_site
from wdtest.fleet import POLL, T0, answer, fail, poll

from wifidesa.admin.scope import OPERATOR, scope_of
from wifidesa.crypto import SecretBox
from wifidesa.db.models import AdminRole, OutageCause, Router
from wifidesa.errors import NotFound
from wifidesa.fleet.outages import outage_log

WITA = "Asia/Makassar"
DAY = date(2026, 3, 10)  # T0 is 10:00 WITA that day


def _fleet(session: Session, box: SecretBox) -> list[Router]:
    """Five routers in Kutai Kartanegara and one in Berau. Round 1-2: all answer; round 3-4:
    the first fails (backhaul, back at round 5); round 6-7: all six fail (central), then all
    answer again except the Berau one, which stays down."""
    routers = [
        make_router(session, box, site=make_site(session, kabupaten="64.03")) for _ in range(5)
    ]
    routers.append(make_router(session, box, site=make_site(session, kabupaten="64.05")))
    for n in range(10):
        at = T0 + n * POLL
        samples = []
        for i, router in enumerate(routers):
            failing = (i == 0 and n in (2, 3)) or n in (5, 6) or (i == 5 and n >= 5)
            samples.append(fail(router, at) if failing else answer(router, at, 3600 + n * 300))
        poll(session, *samples)
    return routers


def test_the_log_lists_outages_newest_first_and_an_incident_as_one_line(
    session: Session, box: SecretBox
) -> None:
    routers = _fleet(session, box)
    now = T0 + 9 * POLL
    log = outage_log(
        session=session, scope=OPERATOR, first_day=DAY, last_day=DAY, now=now, zone=WITA
    )
    assert [(o.router_id, o.cause, o.started_at, o.ended_at) for o in log.outages] == [
        (routers[5].id, OutageCause.BACKHAUL, T0 + 7 * POLL, None),  # still down
        (routers[0].id, OutageCause.BACKHAUL, T0 + 2 * POLL, T0 + 4 * POLL),
    ]
    still, earlier = log.outages
    assert still.seconds == (now - still.started_at).total_seconds()
    assert earlier.seconds == 600 and earlier.charged
    assert log.total == 2 and (log.page, log.pages) == (1, 1)
    [incident] = log.incidents
    assert incident.started_at == T0 + 5 * POLL and incident.ended_at == T0 + 7 * POLL
    assert (incident.routers, incident.fleet_routers, incident.polled) == (6, 6, 6)


def test_an_open_outage_lasts_until_the_last_poll_once_the_poller_stopped(
    session: Session, box: SecretBox
) -> None:
    """What came after the last poll nobody saw: the log measures an open outage as
    availability does, not up to now."""
    routers = _fleet(session, box)
    later = T0 + 9 * POLL + timedelta(hours=3)  # the poller stopped after round 10
    log = outage_log(
        session=session, scope=OPERATOR, first_day=DAY, last_day=DAY, now=later, zone=WITA
    )
    still = log.outages[0]
    assert still.router_id == routers[5].id and still.ended_at is None
    assert still.seconds == (T0 + 9 * POLL - still.started_at).total_seconds()


def test_a_kabupaten_admin_sees_their_outages_and_their_routers_in_an_incident(
    session: Session, box: SecretBox
) -> None:
    routers = _fleet(session, box)
    admin = make_admin(
        session=session,
        username="kukar",
        password="kukar-password-1",
        role=AdminRole.KABUPATEN,
        region_code="64.03",
    )
    scope = scope_of(admin)
    log = outage_log(
        session=session, scope=scope, first_day=DAY, last_day=DAY, now=T0 + 9 * POLL, zone=WITA
    )
    assert [o.router_id for o in log.outages] == [routers[0].id]
    [incident] = log.incidents
    assert (incident.routers, incident.fleet_routers, incident.polled) == (5, None, None)
    with pytest.raises(NotFound):
        outage_log(
            session=session,
            scope=scope,
            first_day=DAY,
            last_day=DAY,
            now=T0 + 9 * POLL,
            zone=WITA,
            key="r:64.05",
        )


def test_the_period_and_the_pages_bound_the_log(session: Session, box: SecretBox) -> None:
    routers = _fleet(session, box)
    now = T0 + 9 * POLL
    day_before = outage_log(
        session=session,
        scope=OPERATOR,
        first_day=DAY - timedelta(days=1),
        last_day=DAY - timedelta(days=1),
        now=now,
        zone=WITA,
    )
    assert (day_before.outages, day_before.incidents, day_before.total) == ([], [], 0)
    second = outage_log(
        session=session,
        scope=OPERATOR,
        first_day=DAY,
        last_day=DAY,
        now=now,
        zone=WITA,
        page=2,
        per_page=1,
    )
    assert [o.router_id for o in second.outages] == [routers[0].id]
    assert (second.page, second.pages, second.total) == (2, 2, 2)
