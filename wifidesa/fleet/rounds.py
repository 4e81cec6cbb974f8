"""Applying a poll round: each router's latest state, its state intervals, its day rows, and
central-side incidents, with the transitions alerts are made of.

A round is what the poller got from the fleet in one cycle, one `Sample` per router. Outages
are classified here, once, for alerts, the fleet page and availability alike:
- *restarted*: the router answers with its uptime gone back (it started again after the
  previous answer: likely a power cut, the usual village outage). The outage lasted until it
  started again, which the uptime tells, even when no poll failed in between.
- *backhaul*: a router that had answered before fails `failures_to_down` polls in a row.
- *central*: in one round at least `central_share` of the routers that had been answering fail
  (and at least `central_min_failures`): our side failed, not the villages. One incident,
  however many routers; their outages are marked central and are not charged to the villages.
A router that never answered stays unknown (no data), never down.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from wifidesa.db.models import (
    OutageCause,
    Router,
    RouterHealth,
    RouterInterval,
    RouterState,
    Site,
)
from wifidesa.fleet.days import DayRows, counter_delta
from wifidesa.fleet.incidents import CONFIG_FAILURES, judge_round, keep_incident
from wifidesa.fleet.samples import Sample
from wifidesa.fleet.transitions import Transition, TransitionKind
from wifidesa.localtime import local_day

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RoundRules:
    # Two failed polls in a row before a router is down: over VSAT a single poll is lost now
    # and then (rain fade, a congested hop), and a router that flaps down and up on every lost
    # poll makes alerts nobody reads. With polls every 5 minutes the second failure comes
    # ~5 minutes after the first, about when an outage starts to count (300 s), and "down
    # since" is backdated to the first failed poll, so availability loses nothing by waiting.
    failures_to_down: int = 2
    central_share: float = 0.30
    # Below this many failures a round is never central: in a small fleet (a demo, a new
    # kabupaten) one or two villages down are 30 % without anything wrong on our side.
    central_min_failures: int = 3
    # A router not polled for this long (the poller stopped) is unknown from its last poll:
    # no data, neither up nor down.
    stale_after: timedelta = timedelta(minutes=15)
    # Uptime is read in whole seconds over a link with seconds of round trip: a start time that
    # moved by less than this is the same start.
    restart_tolerance: timedelta = timedelta(seconds=60)


@dataclass
class _Round:
    session: Session
    rules: RoundRules
    central: bool
    sites: dict[int, int]  # router id -> site id
    intervals: dict[int, RouterInterval]  # each router's open interval
    days: DayRows
    transitions: list[Transition]

    def change(
        self, health: RouterHealth, state: RouterState, cause: OutageCause | None, at: datetime
    ) -> datetime:
        """Ends the router's open interval at `at` and opens one in `state`; returns when the
        new one starts (never before the one it ends)."""
        current = self.intervals.get(health.router_id)
        if current is not None:
            at = max(at, current.started_at)
            current.ended_at = at
        # (The unit of work updates before it inserts: the ended interval leaves the unique
        # index of open ones before the new one enters it.)
        opened = RouterInterval(router_id=health.router_id, state=state, cause=cause, started_at=at)
        self.session.add(opened)
        self.intervals[health.router_id] = opened
        health.state, health.cause, health.state_since = state, cause, at
        return at

    def note(
        self,
        kind: TransitionKind,
        health: RouterHealth,
        at: datetime,
        cause: OutageCause,
        since: datetime | None = None,
    ) -> None:
        self.transitions.append(
            Transition(
                kind=kind,
                at=at,
                router_id=health.router_id,
                site_id=self.sites[health.router_id],
                cause=cause,
                since=since,
            )
        )


def record_round(
    *,
    session: Session,
    samples: Sequence[Sample],
    now: datetime,
    rules: RoundRules | None = None,
) -> list[Transition]:
    """Applies one poll round (flushes; the caller commits) and returns what changed. Routers
    not polled since `now - stale_after` become unknown (`mark_unpolled`)."""
    rules = rules or RoundRules()
    ordered = sorted((sample.bounded() for sample in samples), key=lambda sample: sample.at)
    routers = _routers(session, {sample.router_id for sample in ordered})
    ordered = [sample for sample in ordered if sample.router_id in routers]
    if not ordered:
        return []
    ids = set(routers)
    health = {
        row.router_id: row
        for row in session.scalars(select(RouterHealth).where(RouterHealth.router_id.in_(ids)))
    }
    intervals = {
        row.router_id: row
        for row in session.scalars(
            select(RouterInterval).where(
                RouterInterval.router_id.in_(ids), RouterInterval.ended_at.is_(None)
            )
        )
    }
    zones = {router_id: zone for router_id, (_, zone) in routers.items()}
    days = DayRows(
        session=session,
        zones=zones,
        wanted={(s.router_id, local_day(s.at, zones[s.router_id])) for s in ordered},
    )
    state = _Round(
        session=session,
        rules=rules,
        central=False,
        sites={router_id: site for router_id, (site, _) in routers.items()},
        intervals=intervals,
        days=days,
        transitions=[],
    )
    for sample in ordered:
        if sample.router_id not in health:
            health[sample.router_id] = _first_health(session, sample)
    for sample in ordered:
        _unknown_after_a_gap(state, health[sample.router_id], sample.at)
    failing, judged = judge_round(ordered, health)
    state.central = (
        failing >= rules.central_min_failures and failing >= rules.central_share * judged
    )
    changed = keep_incident(
        session=session, central=state.central, at=ordered[0].at, failing=failing, polled=judged
    )
    state.transitions.extend(changed)
    for sample in ordered:
        row = health[sample.router_id]
        if sample.reachable:
            _answered(state, row, sample)
        else:
            _failed(state, row, sample)
        row.last_poll_at = sample.at
    session.flush()
    mark_unpolled(session=session, now=now, rules=rules)
    return state.transitions


def mark_unpolled(*, session: Session, now: datetime, rules: RoundRules | None = None) -> int:
    """Routers the poller has not polled within `stale_after` become unknown from their last
    poll (the poller stopped, or stopped polling them); returns how many. The poller calls
    it each cycle, and once when it starts."""
    rules = rules or RoundRules()
    stale = list(
        session.scalars(
            select(RouterHealth).where(
                RouterHealth.state != RouterState.UNKNOWN,
                RouterHealth.last_poll_at < now - rules.stale_after,
            )
        )
    )
    if not stale:
        return 0
    ids = {row.router_id for row in stale}
    state = _Round(
        session=session,
        rules=rules,
        central=False,
        sites={
            row.id: row.site_id
            for row in session.execute(select(Router.id, Router.site_id).where(Router.id.in_(ids)))
        },
        intervals={
            row.router_id: row
            for row in session.scalars(
                select(RouterInterval).where(
                    RouterInterval.router_id.in_(ids), RouterInterval.ended_at.is_(None)
                )
            )
        },
        days=DayRows(session=session, zones={}, wanted=()),
        transitions=[],
    )
    for row in stale:
        _unknown_after_a_gap(state, row, now)
    session.flush()
    return len(stale)


def _routers(session: Session, ids: set[int]) -> dict[int, tuple[int, str]]:
    """Each router's site and zone; routers deleted since the round began are left out."""
    query = (
        select(Router.id, Router.site_id, Site.timezone)
        .join(Site, Site.id == Router.site_id)
        .where(Router.id.in_(ids))
    )
    found = {row.id: (row.site_id, row.timezone) for row in session.execute(query)}
    if len(found) < len(ids):
        logger.info(
            "poll round: %d sample(s) of routers no longer registered", len(ids) - len(found)
        )
    return found


def _first_health(session: Session, sample: Sample) -> RouterHealth:
    row = RouterHealth(
        router_id=sample.router_id,
        state=RouterState.UNKNOWN,
        cause=None,
        state_since=sample.at,
        consecutive_failures=0,
        failing_central=False,
    )
    session.add(row)
    return row


def _unknown_after_a_gap(state: _Round, health: RouterHealth, at: datetime) -> None:
    """A router not polled for `stale_after` is unknown since its last poll: what happened in
    between nobody saw (a restart still shows in its uptime)."""
    last = health.last_poll_at
    if last is None or at - last <= state.rules.stale_after:
        return
    if health.state is not RouterState.UNKNOWN:
        state.change(health, RouterState.UNKNOWN, None, last)
    _end_failure_run(health)


def _answered(state: _Round, health: RouterHealth, sample: Sample) -> None:
    booted = _started_again(state.rules, health, sample)
    if booted is not None:
        health.last_restart_at = booted
        state.days.count_restart(health.router_id, booted)
        state.note(
            TransitionKind.RESTARTED,
            health,
            booted,
            cause=OutageCause.RESTART,
            since=_outage_start(health),
        )
    if health.state is RouterState.DOWN:
        _came_back(state, health, sample, booted)
    elif health.state is RouterState.UNKNOWN:
        state.change(health, RouterState.UP, None, sample.at)
    elif booted is not None and booted > _outage_start(health):
        # Up, and it started again since the last answer: away from then until it booted,
        # whether or not a poll fell in between (a power cut shorter than a poll interval).
        state.change(health, RouterState.DOWN, OutageCause.RESTART, _outage_start(health))
        state.change(health, RouterState.UP, None, booted)
    restarted = booted is not None
    state.days.count_poll(
        sample,
        down_bytes=counter_delta(sample.wan_rx_bytes, health.wan_rx_bytes, restarted=restarted),
        up_bytes=counter_delta(sample.wan_tx_bytes, health.wan_tx_bytes, restarted=restarted),
    )
    health.last_answer_at = sample.at
    health.identity, health.version, health.board = sample.identity, sample.version, sample.board
    health.uptime_seconds, health.cpu_load = sample.uptime_seconds, sample.cpu_load
    health.free_memory, health.total_memory = sample.free_memory, sample.total_memory
    health.hotspot_active, health.rtt_ms = sample.hotspot_active, sample.rtt_ms
    health.wan_rx_bytes, health.wan_tx_bytes = sample.wan_rx_bytes, sample.wan_tx_bytes
    _end_failure_run(health)


def _started_again(rules: RoundRules, health: RouterHealth, sample: Sample) -> datetime | None:
    """When the router started again, if it did since its previous answer: its start time
    (poll time minus uptime) moved forward. Comparing start times rather than uptimes also
    catches a router that was away longer than it had been up before."""
    if sample.uptime_seconds is None or health.uptime_seconds is None:
        return None
    if health.last_answer_at is None:
        return None
    booted = sample.at - timedelta(seconds=sample.uptime_seconds)
    before = health.last_answer_at - timedelta(seconds=health.uptime_seconds)
    if booted <= before + rules.restart_tolerance:
        return None
    # It was up at its previous answer: it cannot have started again before that.
    return min(max(booted, health.last_answer_at), sample.at)


def _outage_start(health: RouterHealth) -> datetime:
    """Since when a router that answers again had been away: its first failed poll, or at
    most since its previous answer when no poll failed."""
    if health.state is RouterState.DOWN:
        return health.state_since
    if health.failing_since is not None:
        return health.failing_since
    assert health.last_answer_at is not None  # only asked of routers that answered before
    return health.last_answer_at


def _came_back(
    state: _Round, health: RouterHealth, sample: Sample, booted: datetime | None
) -> None:
    cause, since = health.cause or OutageCause.BACKHAUL, health.state_since
    back = sample.at
    if booted is not None and booted > since and cause is not OutageCause.CENTRAL:
        # Away until it booted: a power cut, not the link (ours stays central: the outage
        # began on our side, whatever else happened at the village meanwhile).
        cause, back = OutageCause.RESTART, booted
        interval = state.intervals[health.router_id]
        interval.cause = health.cause = cause
    state.change(health, RouterState.UP, None, back)
    if cause is not OutageCause.CENTRAL:
        state.note(TransitionKind.CAME_BACK, health, back, cause=cause, since=since)


def _failed(state: _Round, health: RouterHealth, sample: Sample) -> None:
    assert sample.failure is not None
    health.last_failure, health.last_failure_at = sample.failure.value, sample.at
    state.days.count_poll(sample, down_bytes=0, up_bytes=0)
    if sample.failure in CONFIG_FAILURES:
        if health.state is not RouterState.UNKNOWN:
            state.change(health, RouterState.UNKNOWN, None, sample.at)
        _end_failure_run(health)
        return
    if health.consecutive_failures == 0 or (health.failing_central and not state.central):
        # A new run of failures; one that began in an incident begins again when the incident
        # is over: its earlier failures were the incident's, not the village's.
        health.failing_since, health.failing_central = sample.at, state.central
        health.consecutive_failures = 0
    health.consecutive_failures += 1
    if health.state is RouterState.DOWN:
        if health.cause is OutageCause.CENTRAL and not state.central:
            # The incident is over and this router still fails: its own outage from now.
            at = state.change(health, RouterState.DOWN, OutageCause.BACKHAUL, sample.at)
            state.note(TransitionKind.WENT_DOWN, health, at, cause=OutageCause.BACKHAUL)
        return
    if health.last_answer_at is None:
        return  # never answered: unknown, not down
    if health.consecutive_failures < state.rules.failures_to_down:
        return
    assert health.failing_since is not None
    cause = OutageCause.CENTRAL if state.central else OutageCause.BACKHAUL
    at = state.change(health, RouterState.DOWN, cause, health.failing_since)
    if cause is OutageCause.BACKHAUL:
        state.note(TransitionKind.WENT_DOWN, health, at, cause=cause)


def _end_failure_run(health: RouterHealth) -> None:
    health.consecutive_failures = 0
    health.failing_since = None
    health.failing_central = False
