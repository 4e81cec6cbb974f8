"""Poll rounds: each router's state, its intervals and the transitions alerts are made of —
down after two failed polls, back, restarted (uptime gone back), unknown when unpolled."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session
from wdtest.factories import make_router
from wdtest.fleet import (
    BACKHAUL,
    DOWN,
    POLL,
    RESTART,
    T0,
    UNKNOWN,
    UP,
    answer,
    fail,
    health,
    history,
    kinds,
    poll,
)

from wifidesa.crypto import SecretBox
from wifidesa.db.models import RouterDay, RouterHealth
from wifidesa.fleet.rounds import mark_unpolled
from wifidesa.fleet.samples import Failure
from wifidesa.fleet.transitions import TransitionKind


def test_a_router_never_polled_has_no_state_and_one_never_answering_stays_unknown(
    session: Session, box: SecretBox
) -> None:
    router = make_router(session, box)
    assert session.get(RouterHealth, router.id) is None
    for n in range(4):
        assert poll(session, fail(router, T0 + n * POLL)) == []
    row = health(session, router)
    assert (row.state, row.consecutive_failures, row.last_failure) == (UNKNOWN, 4, "timeout")
    assert history(session, router) == []


def test_the_first_answer_makes_a_router_up_with_what_it_reported(
    session: Session, box: SecretBox
) -> None:
    router = make_router(session, box)
    sample = answer(
        router,
        T0,
        3600,
        rtt_ms=712.5,
        identity="desa-1",
        version="7.16.2 (stable)",
        board="hAP ac2",
        cpu_load=12,
        free_memory=90_000_000,
        total_memory=128_000_000,
        hotspot_active=17,
        wan_rx_bytes=10_000,
        wan_tx_bytes=2_000,
    )
    assert poll(session, sample) == []
    row = health(session, router)
    assert (row.state, row.state_since, row.last_poll_at, row.last_answer_at) == (UP, T0, T0, T0)
    assert (row.identity, row.version, row.board, row.uptime_seconds) == (
        "desa-1",
        "7.16.2 (stable)",
        "hAP ac2",
        3600,
    )
    assert (row.cpu_load, row.free_memory, row.hotspot_active, row.rtt_ms) == (
        12,
        90_000_000,
        17,
        712.5,
    )
    assert history(session, router) == [(UP, None, T0, None)]


def test_one_lost_poll_is_no_outage_and_two_in_a_row_are_down_since_the_first(
    session: Session, box: SecretBox
) -> None:
    router = make_router(session, box)
    poll(session, answer(router, T0, 1000))
    assert poll(session, fail(router, T0 + POLL)) == []
    assert poll(session, answer(router, T0 + 2 * POLL, 1600)) == []
    assert health(session, router).state is UP
    assert poll(session, fail(router, T0 + 3 * POLL)) == []
    went = poll(session, fail(router, T0 + 4 * POLL))
    assert kinds(went) == [(TransitionKind.WENT_DOWN, T0 + 3 * POLL, BACKHAUL)]
    assert went[0].site_id == router.site_id
    assert poll(session, fail(router, T0 + 5 * POLL)) == []  # still down: no second alert
    row = health(session, router)
    assert (row.state, row.cause, row.state_since, row.consecutive_failures) == (
        DOWN,
        BACKHAUL,
        T0 + 3 * POLL,
        3,
    )
    back = poll(session, answer(router, T0 + 6 * POLL, 1000 + 6 * 300))
    assert kinds(back) == [(TransitionKind.CAME_BACK, T0 + 6 * POLL, BACKHAUL)]
    assert back[0].outage_seconds == 3 * 300
    assert history(session, router) == [
        (UP, None, T0, T0 + 3 * POLL),
        (DOWN, BACKHAUL, T0 + 3 * POLL, T0 + 6 * POLL),
        (UP, None, T0 + 6 * POLL, None),
    ]


def test_a_restart_between_two_answered_polls_is_a_short_power_cut(
    session: Session, box: SecretBox
) -> None:
    router = make_router(session, box)
    poll(session, answer(router, T0, 86_400))
    transitions = poll(session, answer(router, T0 + POLL, 120))  # started again 2 min ago
    booted = T0 + POLL - timedelta(seconds=120)
    assert kinds(transitions) == [(TransitionKind.RESTARTED, booted, RESTART)]
    assert transitions[0].since == T0
    assert history(session, router) == [
        (UP, None, T0, T0),
        (DOWN, RESTART, T0, booted),
        (UP, None, booted, None),
    ]
    assert health(session, router).last_restart_at == booted
    day = session.scalars(select(RouterDay).where(RouterDay.router_id == router.id)).one()
    assert (day.polls, day.answered, day.restarts) == (2, 2, 1)


def test_uptime_that_keeps_growing_is_no_restart(session: Session, box: SecretBox) -> None:
    router = make_router(session, box)
    poll(session, answer(router, T0, 500))
    # Seconds of jitter in when the poll ran and how uptime rounds are no restart.
    assert poll(session, answer(router, T0 + POLL, 500 + 300 - 20)) == []
    assert health(session, router).last_restart_at is None
    assert history(session, router) == [(UP, None, T0, None)]


def test_a_router_back_after_a_power_cut_was_away_until_it_started_again(
    session: Session, box: SecretBox
) -> None:
    router = make_router(session, box)
    poll(session, answer(router, T0, 60))  # up for a minute only before the cut
    for n in (1, 2, 3, 4):
        poll(session, fail(router, T0 + n * POLL))
    # Back after 25 minutes, up for 3 of them: longer away than it had been up before.
    transitions = poll(session, answer(router, T0 + 5 * POLL, 180))
    booted = T0 + 5 * POLL - timedelta(seconds=180)
    assert kinds(transitions) == [
        (TransitionKind.RESTARTED, booted, RESTART),
        (TransitionKind.CAME_BACK, booted, RESTART),
    ]
    assert history(session, router) == [
        (UP, None, T0, T0 + POLL),
        (DOWN, RESTART, T0 + POLL, booted),
        (UP, None, booted, None),
    ]


def test_a_router_not_polled_for_a_while_is_unknown_from_its_last_poll(
    session: Session, box: SecretBox
) -> None:
    router, other = make_router(session, box), make_router(session, box)
    poll(session, answer(router, T0, 1000), answer(other, T0, 1000))
    # The poller stops; each round also marks the routers it no longer reaches.
    poll(session, answer(other, T0 + timedelta(minutes=20), 2200), now=T0 + timedelta(minutes=20))
    assert health(session, router).state is UNKNOWN
    assert history(session, router) == [(UP, None, T0, T0), (UNKNOWN, None, T0, None)]
    later = T0 + timedelta(hours=2)
    assert poll(session, answer(router, later, 1000 + 7200)) == []
    assert history(session, router)[-1] == (UP, None, later, None)


def test_mark_unpolled_turns_routers_unknown_when_no_round_comes(
    session: Session, box: SecretBox
) -> None:
    router = make_router(session, box)
    poll(session, answer(router, T0, 1000))
    assert mark_unpolled(session=session, now=T0 + timedelta(minutes=10)) == 0
    assert mark_unpolled(session=session, now=T0 + timedelta(minutes=16)) == 1
    assert history(session, router) == [(UP, None, T0, T0), (UNKNOWN, None, T0, None)]
    assert mark_unpolled(session=session, now=T0 + timedelta(minutes=30)) == 0


def test_a_poll_that_fails_for_our_configuration_is_no_data_not_an_outage(
    session: Session, box: SecretBox
) -> None:
    router = make_router(session, box)
    poll(session, answer(router, T0, 1000))
    for n in (1, 2, 3):
        assert poll(session, fail(router, T0 + n * POLL, Failure.LOGIN)) == []
    row = health(session, router)
    assert (row.state, row.consecutive_failures, row.last_failure) == (UNKNOWN, 0, "login")
    assert history(session, router) == [(UP, None, T0, T0 + POLL), (UNKNOWN, None, T0 + POLL, None)]


def test_odd_values_a_router_reports_are_bounded_not_the_end_of_the_round(
    session: Session, box: SecretBox
) -> None:
    """PostgreSQL refuses a 70-character identity in its column or a CPU load past 32 bits:
    such a value is cut or left out, and the round (every other router's too) is recorded."""
    odd, plain = make_router(session, box), make_router(session, box)
    poll(
        session,
        answer(odd, T0, 600, identity="desa-" + "x" * 70, cpu_load=99_999_999_999,
               hotspot_active=-3, wan_rx_bytes=1 << 70, rtt_ms=float("nan")),
        answer(plain, T0, 600, identity="desa-biasa", cpu_load=7),
    )  # fmt: skip
    session.flush()
    row = health(session, odd)
    assert (row.state, len(row.identity or ""), row.cpu_load, row.hotspot_active) == (
        UP, 64, None, None
    )  # fmt: skip
    assert (row.wan_rx_bytes, row.rtt_ms) == (None, None)
    assert (health(session, plain).identity, health(session, plain).cpu_load) == ("desa-biasa", 7)
