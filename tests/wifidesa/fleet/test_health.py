"""The fleet page's listing: exactly the routers the admin's scope reaches, with their state
and 30-day availability, filtered and sorted."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy.orm import Session
from wdtest.factories import make_admin, make_router, make_site
from wdtest.fleet import POLL, T0, answer, fail, poll

from wifidesa.admin.scope import OPERATOR, scope_of
from wifidesa.crypto import SecretBox
from wifidesa.db.models import AdminRole, Router, RouterState
from wifidesa.errors import NotFound
from wifidesa.fleet.health import FleetFilter, FleetSort, RouterHealthRow, fleet_health
from wifidesa.fleet.samples import Failure

HOUR = timedelta(hours=1)
STEP = 2 * POLL  # polls every 10 minutes: a day in fewer rounds


def _fleet(session: Session, box: SecretBox) -> dict[str, Router]:
    """Four villages in two kabupaten, polled every 10 minutes for a day until `T0 + 24 h`:
    `down` went down 2 h before the end, `restarted` started again at 07:00 WITA (T0 is 10:00
    WITA), `old` runs RouterOS 7.9; `never` was never polled."""
    routers = {
        "up": make_router(session, box, site=make_site(session, code="a", kabupaten="64.03")),
        "down": make_router(session, box, site=make_site(session, code="b", kabupaten="64.03")),
        "restarted": make_router(
            session, box, site=make_site(session, code="c", kabupaten="64.05")
        ),
        "old": make_router(session, box, site=make_site(session, code="d", kabupaten="64.05")),
    }
    routers["never"] = make_router(session, box, site=make_site(session, code="e"))
    versions = {"up": "7.16.2 (stable)", "down": "7.16", "restarted": "7.15.3", "old": "7.9"}
    end = T0 + 24 * HOUR
    boot = T0 + 21 * HOUR  # 07:00 WITA the next day
    at = T0
    while at <= end:
        samples = []
        for name, router in routers.items():
            if name == "never":
                continue
            if name == "down" and at > end - 2 * HOUR:
                samples.append(fail(router, at))
                continue
            start = T0 - HOUR
            if name == "restarted" and at >= boot + POLL:
                start = boot
            uptime = int((at - start).total_seconds())
            samples.append(
                answer(
                    router,
                    at,
                    uptime,
                    version=versions[name],
                    cpu_load=len(name),
                    hotspot_active=10 * len(name),
                )
            )
        poll(session, *samples)
        at += STEP
    return routers


def names(rows: list[RouterHealthRow], routers: dict[str, Router]) -> list[str]:
    by_id = {router.id: name for name, router in routers.items()}
    return [by_id[row.router_id] for row in rows]


NOW = T0 + 24 * HOUR


def test_the_province_sees_every_router_with_its_state_and_availability(
    session: Session, box: SecretBox
) -> None:
    routers = _fleet(session, box)
    rows = {row.router_id: row for row in fleet_health(session=session, scope=OPERATOR, now=NOW)}
    up, down, never = rows[routers["up"].id], rows[routers["down"].id], rows[routers["never"].id]
    assert (up.state, up.version, up.cpu_load, up.hotspot_active) == (
        RouterState.UP,
        "7.16.2 (stable)",
        2,
        20,
    )
    assert up.availability_30d == pytest.approx(100)
    assert (down.state, down.since, down.last_failure) == (
        RouterState.DOWN,
        NOW - 2 * HOUR + STEP,
        "timeout",
    )
    # Known for a day: up until its first failed poll, then down.
    assert down.availability_30d == pytest.approx(100 * (22 * 60 + 10) / (24 * 60))
    assert (never.state, never.since, never.availability_30d) == (RouterState.UNKNOWN, None, None)


def test_filters_find_the_long_down_the_restarted_today_and_the_old(
    session: Session, box: SecretBox
) -> None:
    routers = _fleet(session, box)

    def found(filters: FleetFilter, now: datetime = NOW) -> list[str]:
        rows = fleet_health(session=session, scope=OPERATOR, now=now, filters=filters)
        return names(rows, routers)

    assert found(FleetFilter(down_longer_than=HOUR)) == ["down"]
    assert found(FleetFilter(down_longer_than=3 * HOUR)) == []
    assert found(FleetFilter(restarted_today=True)) == ["restarted"]
    # The next local day (after midnight WITA) it no longer restarted "today".
    assert found(FleetFilter(restarted_today=True), now=NOW + 14 * HOUR + POLL) == []
    # (sorted here: the listing sorts by router name, which the factory numbers)
    assert sorted(found(FleetFilter(older_than="7.16"))) == ["old", "restarted"]
    assert sorted(found(FleetFilter(state=RouterState.UNKNOWN))) == ["never"]


def test_sorting_puts_what_has_no_value_last_either_way(session: Session, box: SecretBox) -> None:
    routers = _fleet(session, box)

    def order(sort: FleetSort, descending: bool = False) -> list[str]:
        rows = fleet_health(
            session=session, scope=OPERATOR, now=NOW, sort=sort, descending=descending
        )
        return names(rows, routers)

    assert order(FleetSort.VERSION) == ["old", "restarted", "down", "up", "never"]
    assert order(FleetSort.VERSION, descending=True) == ["up", "down", "restarted", "old", "never"]
    assert order(FleetSort.STATE)[:2] == ["down", "never"]
    assert order(FleetSort.AVAILABILITY)[0] == "down"
    assert order(FleetSort.ACTIVE_USERS, descending=True)[0] == "restarted"


def test_a_kabupaten_admin_lists_their_kabupatens_routers_only(
    session: Session, box: SecretBox
) -> None:
    routers = _fleet(session, box)
    admin = make_admin(
        session=session,
        username="berau",
        password="berau-password-1",
        role=AdminRole.KABUPATEN,
        region_code="64.05",
    )
    scope = scope_of(admin)
    rows = fleet_health(session=session, scope=scope, now=NOW)
    assert sorted(names(rows, routers)) == ["old", "restarted"]
    down_anywhere = fleet_health(
        session=session, scope=scope, now=NOW, filters=FleetFilter(down_longer_than=HOUR)
    )
    assert down_anywhere == []  # the down router lies in another kabupaten
    with pytest.raises(NotFound):
        fleet_health(session=session, scope=scope, now=NOW, key="r:64.03")


def test_a_desa_admin_lists_their_villages_routers_only(session: Session, box: SecretBox) -> None:
    routers = _fleet(session, box)
    admin = make_admin(
        session=session,
        username="desa-a",
        password="desa-password-1",
        role=AdminRole.DESA,
        site_codes=["a"],
    )
    rows = fleet_health(session=session, scope=scope_of(admin), now=NOW)
    assert names(rows, routers) == ["up"]


def test_a_router_without_an_api_address_is_not_configured_never_down(
    session: Session, box: SecretBox
) -> None:
    polled = make_router(
        session, box, site=make_site(session), api_host="10.9.0.2", api_username="wifidesa"
    )
    bare = make_router(session, box, site=make_site(session))
    poll(session, answer(polled, T0, 100), fail(bare, T0))
    poll(session, fail(polled, T0 + POLL), fail(bare, T0 + POLL, Failure.NO_ADDRESS))
    rows = {row.router_id: row for row in fleet_health(session=session, scope=OPERATOR, now=NOW)}
    assert (rows[polled.id].configured, rows[bare.id].configured) == (True, False)
    assert rows[bare.id].state is RouterState.UNKNOWN
    configured = fleet_health(
        session=session, scope=OPERATOR, now=NOW, filters=FleetFilter(configured=True)
    )
    not_configured = fleet_health(
        session=session, scope=OPERATOR, now=NOW, filters=FleetFilter(configured=False)
    )
    assert [row.router_id for row in configured] == [polled.id]
    assert [row.router_id for row in not_configured] == [bare.id]
