"""Central-side incidents: a share of the fleet failing in one round is one incident, its
routers' outages marked central and no alert of their own; just below the share, each router
is its own outage."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from wdtest.factories import make_router
from wdtest.fleet import (
    BACKHAUL,
    CENTRAL,
    DOWN,
    POLL,
    T0,
    UP,
    answer,
    fail,
    history,
    kinds,
    poll,
)

from wifidesa.crypto import SecretBox
from wifidesa.db.models import FleetIncident, Router
from wifidesa.fleet.rounds import RoundRules, record_round
from wifidesa.fleet.samples import Sample
from wifidesa.fleet.transitions import TransitionKind


def _fleet(session: Session, box: SecretBox, count: int) -> list[Router]:
    routers = [make_router(session, box) for _ in range(count)]
    poll(session, *(answer(router, T0, 10_000) for router in routers))
    return routers


def _round(routers: list[Router], failing: int, at: datetime) -> list[Sample]:
    uptime = 10_000 + int((at - T0).total_seconds())
    return [
        fail(router, at) if n < failing else answer(router, at, uptime)
        for n, router in enumerate(routers)
    ]


def test_thirty_percent_of_the_fleet_failing_at_once_is_one_central_incident(
    session: Session, box: SecretBox
) -> None:
    routers = _fleet(session, box, 20)
    started = poll(session, *_round(routers, 6, T0 + POLL))
    assert [(t.kind, t.routers) for t in started] == [(TransitionKind.INCIDENT_STARTED, 6)]
    more = poll(session, *_round(routers, 8, T0 + 2 * POLL))
    assert more == []  # eight routers down, no alert of their own
    assert poll(session, *_round(routers, 7, T0 + 3 * POLL)) == []
    incident = session.scalars(select(FleetIncident)).one()
    assert (incident.started_at, incident.ended_at, incident.routers, incident.polled) == (
        T0 + POLL,
        None,
        8,
        20,
    )
    assert history(session, routers[0])[1:] == [(DOWN, CENTRAL, T0 + POLL, None)]
    ended = poll(session, *_round(routers, 0, T0 + 4 * POLL))
    assert [(t.kind, t.at) for t in ended] == [(TransitionKind.INCIDENT_ENDED, T0 + 4 * POLL)]
    assert session.scalars(select(FleetIncident)).one().ended_at == T0 + 4 * POLL
    assert history(session, routers[0])[1:] == [
        (DOWN, CENTRAL, T0 + POLL, T0 + 4 * POLL),
        (UP, None, T0 + 4 * POLL, None),
    ]


def test_just_below_the_share_each_failing_router_is_its_own_outage(
    session: Session, box: SecretBox
) -> None:
    routers = _fleet(session, box, 20)
    assert poll(session, *_round(routers, 5, T0 + POLL)) == []
    went = poll(session, *_round(routers, 5, T0 + 2 * POLL))
    assert sorted((t.kind, t.router_id, t.cause) for t in went) == sorted(
        (TransitionKind.WENT_DOWN, router.id, BACKHAUL) for router in routers[:5]
    )
    assert session.scalars(select(FleetIncident)).all() == []


def test_a_small_fleet_is_never_central_below_the_minimum_of_failures(
    session: Session, box: SecretBox
) -> None:
    routers = _fleet(session, box, 4)
    poll(session, *_round(routers, 2, T0 + POLL))  # half the fleet, but two villages
    went = poll(session, *_round(routers, 2, T0 + 2 * POLL))
    assert [t.kind for t in went] == [TransitionKind.WENT_DOWN] * 2
    rules = RoundRules(central_min_failures=2)
    started = record_round(
        session=session, samples=_round(routers, 4, T0 + 3 * POLL), now=T0 + 3 * POLL, rules=rules
    )
    # the two routers already down say nothing of our side: two of two failing
    assert [(t.kind, t.routers) for t in started] == [(TransitionKind.INCIDENT_STARTED, 2)]


def test_routers_already_down_for_their_own_cause_do_not_make_a_round_central(
    session: Session, box: SecretBox
) -> None:
    routers = _fleet(session, box, 20)
    poll(session, *_round(routers, 5, T0 + POLL))
    poll(session, *_round(routers, 5, T0 + 2 * POLL))  # five villages down, each on its own
    # one more fails: 6 of 20 would be 30 %, but only 1 of the 15 that were up failed
    assert poll(session, *_round(routers, 6, T0 + 3 * POLL)) == []
    went = poll(session, *_round(routers, 6, T0 + 4 * POLL))
    assert [(t.kind, t.router_id, t.cause) for t in went] == [
        (TransitionKind.WENT_DOWN, routers[5].id, BACKHAUL)
    ]
    assert session.scalars(select(FleetIncident)).all() == []


def test_a_router_still_failing_after_the_incident_is_down_for_its_own_cause_from_then(
    session: Session, box: SecretBox
) -> None:
    routers = _fleet(session, box, 10)
    poll(session, *_round(routers, 5, T0 + POLL))
    poll(session, *_round(routers, 5, T0 + 2 * POLL))
    transitions = poll(session, *_round(routers, 1, T0 + 3 * POLL))
    assert kinds(transitions) == [
        (TransitionKind.INCIDENT_ENDED, T0 + 3 * POLL, None),
        (TransitionKind.WENT_DOWN, T0 + 3 * POLL, BACKHAUL),
    ]
    assert history(session, routers[0])[1:] == [
        (DOWN, CENTRAL, T0 + POLL, T0 + 3 * POLL),
        (DOWN, BACKHAUL, T0 + 3 * POLL, None),
    ]


def test_a_router_failing_once_in_an_incident_needs_two_own_failures_after_it(
    session: Session, box: SecretBox
) -> None:
    routers = _fleet(session, box, 10)
    poll(session, *_round(routers, 5, T0 + POLL))  # the incident: a first failure each
    assert kinds(poll(session, *_round(routers, 1, T0 + 2 * POLL))) == [
        (TransitionKind.INCIDENT_ENDED, T0 + 2 * POLL, None)
    ]
    went = poll(session, *_round(routers, 1, T0 + 3 * POLL))
    assert kinds(went) == [(TransitionKind.WENT_DOWN, T0 + 2 * POLL, BACKHAUL)]


def test_routers_that_never_answered_do_not_make_a_round_central(
    session: Session, box: SecretBox
) -> None:
    routers = _fleet(session, box, 5)
    uninstalled = [make_router(session, box) for _ in range(5)]
    samples = _round(routers, 0, T0 + POLL) + [fail(r, T0 + POLL) for r in uninstalled]
    assert poll(session, *samples) == []
    assert session.scalars(select(FleetIncident)).all() == []
