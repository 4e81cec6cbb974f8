"""Which fleet events become alerts, decided after each poll round in the round's transaction.

- *Down*: a router down (the link or the router, not our side) for more than `down_after`.
  Judged each round from its latest state, so it holds however many rounds ago it went down,
  and whichever poller noticed.
- *Back up*: only after a "down" alert was queued for that outage, with how long it lasted
  (and whether it came back by restarting: a power cut, likely).
- *Restarted*: its uptime went back (a power cut, likely), with how long it was away; folded
  into "back up" when the admins were told it was down.
- *Central-side incident* started / ended: to province admins only, one alert for the whole
  incident.
- Flapping routers (wifidesa.alerts.flaps) get none of the above until they are stable.

Every alert has a dedupe key naming its event (the router and when its outage began, the
incident's id), so a retried round or a second poller queues each alert once per channel.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from wifidesa.alerts.about import about_routers, stamp, tell
from wifidesa.alerts.flaps import FlapRules, keep_flapping
from wifidesa.alerts.outbox import queue
from wifidesa.alerts.recipients import Recipients, province_channels
from wifidesa.alerts.texts import EventKind, FleetEvent, render_event
from wifidesa.db.models import (
    FleetIncident,
    OutageCause,
    RouterAlertState,
    RouterHealth,
    RouterInterval,
    RouterState,
)
from wifidesa.fleet.transitions import Transition, TransitionKind
from wifidesa.settings import DEFAULT_TIMEZONE, Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AlertRules:
    # A blip on VSAT (rain fade, a congested hop) tells nobody: only a router down this long.
    down_after: timedelta = timedelta(minutes=15)
    flaps: FlapRules = field(default_factory=FlapRules)
    zone: str = DEFAULT_TIMEZONE  # the central side's times (the sites' own zones otherwise)

    @classmethod
    def from_settings(cls, settings: Settings) -> AlertRules:
        return cls(
            down_after=timedelta(minutes=settings.alert_down_after_minutes),
            flaps=FlapRules(
                changes=settings.alert_flap_changes,
                window=timedelta(minutes=settings.alert_flap_window_minutes),
                stable=timedelta(minutes=settings.alert_flap_stable_minutes),
            ),
            zone=settings.timezone,
        )


def _minutes(start: datetime, end: datetime) -> int:
    return max(0, round((end - start).total_seconds() / 60))


def alert_round(
    *,
    session: Session,
    transitions: Sequence[Transition],
    now: datetime,
    rules: AlertRules | None = None,
) -> int:
    """Queue the alerts due after a poll round (`transitions`: what `record_round` returned);
    how many notifications are new. Flushes; the caller commits with the round."""
    rules = rules or AlertRules()
    queued = _incidents(session, transitions, now, rules)
    heard = Recipients(session)  # read once, when the round's first village alert is queued
    flapping = keep_flapping(session=session, now=now, rules=rules.flaps, heard=heard)
    queued += flapping.queued
    states = {row.router_id: row for row in session.scalars(select(RouterAlertState))}
    queued += _restarts(session, transitions, states, flapping.routers, now, heard)
    queued += _back_up(session, states, flapping.routers, now, heard)
    queued += _down(session, states, flapping.routers, now, rules, heard)
    session.flush()
    if queued:
        log.info("alerts: %d notification(s) queued", queued)
    return queued


def _incidents(
    session: Session, transitions: Sequence[Transition], now: datetime, rules: AlertRules
) -> int:
    queued = 0
    for change in transitions:
        if change.kind is TransitionKind.INCIDENT_STARTED:
            incident = session.scalar(
                select(FleetIncident).where(FleetIncident.ended_at.is_(None)).limit(1)
            )
            if incident is None:
                continue
            event = FleetEvent(EventKind.CENTRAL_DOWN, incident.started_at, zone=rules.zone)
            key = f"incident:{incident.id}:start"
        elif change.kind is TransitionKind.INCIDENT_ENDED:
            incident = session.scalar(
                select(FleetIncident)
                .where(FleetIncident.ended_at.is_not(None))
                .order_by(FleetIncident.ended_at.desc(), FleetIncident.id.desc())
                .limit(1)
            )
            if incident is None or incident.ended_at is None:
                continue
            minutes = _minutes(incident.started_at, incident.ended_at)
            event = FleetEvent(
                EventKind.CENTRAL_UP, incident.ended_at, minutes_down=minutes, zone=rules.zone
            )
            key = f"incident:{incident.id}:end"
        else:
            continue
        queued += queue(
            session=session,
            text=render_event(event),
            dedupe_key=key,
            now=now,
            channels=province_channels(session=session),
        )
    return queued


def _restarts(
    session: Session,
    transitions: Sequence[Transition],
    states: dict[int, RouterAlertState],
    flapping: frozenset[int],
    now: datetime,
    heard: Recipients,
) -> int:
    restarts = [
        change
        for change in transitions
        if change.kind is TransitionKind.RESTARTED
        and change.router_id is not None
        and change.router_id not in flapping
    ]
    about = about_routers(session, {change.router_id for change in restarts if change.router_id})
    queued = 0
    for change in restarts:
        assert change.router_id is not None
        state = states.get(change.router_id)
        if state is not None and state.down_alerted_since == change.since:
            continue  # its admins were told it was down: "back up" says it restarted
        if change.router_id not in about:
            continue
        minutes = _minutes(change.since, change.at) if change.since is not None else None
        event = about[change.router_id].event(EventKind.RESTARTED, change.at, minutes_down=minutes)
        key = f"restart:{change.router_id}:{stamp(change.at)}"
        queued += tell(session, about[change.router_id], event, key=key, now=now, heard=heard)
    return queued


def _back_up(
    session: Session,
    states: dict[int, RouterAlertState],
    flapping: frozenset[int],
    now: datetime,
    heard: Recipients,
) -> int:
    """Routers whose outage was alerted and that answer again."""
    owed = {
        router_id: state
        for router_id, state in states.items()
        if state.down_alerted_since is not None and router_id not in flapping
    }
    if not owed:
        return 0
    health = {
        row.router_id: row
        for row in session.scalars(select(RouterHealth).where(RouterHealth.router_id.in_(owed)))
    }
    about = about_routers(session, owed)
    queued = 0
    for router_id, state in owed.items():
        since, row = state.down_alerted_since, health.get(router_id)
        assert since is not None
        if row is None or router_id not in about:
            state.down_alerted_since = None
            continue
        if row.state is RouterState.DOWN and row.state_since != since:
            state.down_alerted_since = None  # another outage now: the down rule tells of it
            continue
        if row.state is not RouterState.UP:
            continue  # still down, or out of sight: wait
        outage = session.scalar(
            select(RouterInterval.cause).where(
                RouterInterval.router_id == router_id,
                RouterInterval.started_at == since,
                RouterInterval.state == RouterState.DOWN,
            )
        )
        event = about[router_id].event(
            EventKind.UP,
            row.state_since,
            minutes_down=_minutes(since, row.state_since),
            restarted=outage is OutageCause.RESTART,
        )
        key = f"up:{router_id}:{stamp(since)}"
        queued += tell(session, about[router_id], event, key=key, now=now, heard=heard)
        state.down_alerted_since = None
    return queued


def _down(
    session: Session,
    states: dict[int, RouterAlertState],
    flapping: frozenset[int],
    now: datetime,
    rules: AlertRules,
    heard: Recipients,
) -> int:
    """Routers down (their own outage) for longer than `down_after`, not told of yet."""
    rows = [
        row
        for row in session.scalars(
            select(RouterHealth).where(
                RouterHealth.state == RouterState.DOWN,
                RouterHealth.cause == OutageCause.BACKHAUL,
                RouterHealth.state_since <= now - rules.down_after,
            )
        )
        if row.router_id not in flapping
        and (
            row.router_id not in states
            or states[row.router_id].down_alerted_since != row.state_since
        )
    ]
    about = about_routers(session, {row.router_id for row in rows})
    queued = 0
    for row in rows:
        if row.router_id not in about:
            continue
        state = states.get(row.router_id)
        if state is None:
            state = states[row.router_id] = RouterAlertState(router_id=row.router_id)
            session.add(state)
        state.down_alerted_since = row.state_since
        event = about[row.router_id].event(
            EventKind.DOWN, row.state_since, minutes_down=_minutes(row.state_since, now)
        )
        key = f"down:{row.router_id}:{stamp(row.state_since)}"
        queued += tell(session, about[row.router_id], event, key=key, now=now, heard=heard)
    return queued
