"""Flap suppression: a router that goes down and up again and again tells its admins once
("keeps going down and up"), then nothing about it until it has kept one state for a while,
then once more: stable again (up), or stays down.

A change is a router's own: an outage beginning (down for the link or a restart) and its end.
Central-side outages, and the unknown state (the poller lost sight), are no changes of the
village's, or an incident on our side would make every router flap.
Changes count in runs: a gap of `stable` between two changes ends a run (the router was
stable then), so a router once stable again starts counting afresh.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from wifidesa.alerts.about import AboutRouter, about_routers, stamp, tell
from wifidesa.alerts.recipients import Recipients
from wifidesa.alerts.texts import EventKind
from wifidesa.db.models import (
    OutageCause,
    RouterAlertState,
    RouterHealth,
    RouterInterval,
    RouterState,
)


@dataclass(frozen=True)
class FlapRules:
    changes: int = 4  # more than this many changes within `window` is flapping
    window: timedelta = timedelta(minutes=60)
    stable: timedelta = timedelta(minutes=30)  # no change for this long: stable again


@dataclass(frozen=True)
class Flapping:
    """What the flap rule found in a round."""

    routers: frozenset[int]  # flapping now: no per-change alert about these
    queued: int  # notifications queued (flapping, stable again)


def _changes(session: Session, since: datetime) -> dict[int, list[datetime]]:
    """Each router's own changes since `since`, oldest first."""
    rows = session.execute(
        select(
            RouterInterval.router_id,
            RouterInterval.state,
            RouterInterval.cause,
            RouterInterval.started_at,
        )
        # The intervals that began since, and the ones they followed (which end when they
        # begin): whether an "up" ends an outage of the village's own depends on it.
        .where(or_(RouterInterval.ended_at.is_(None), RouterInterval.ended_at > since))
        .order_by(RouterInterval.router_id, RouterInterval.started_at, RouterInterval.id)
    )
    changes: dict[int, list[datetime]] = defaultdict(list)
    previous: dict[int, tuple[RouterState, OutageCause | None]] = {}
    for row in rows:
        own_outage = row.state is RouterState.DOWN and row.cause is not OutageCause.CENTRAL
        before = previous.get(row.router_id)
        outage_over = (
            row.state is RouterState.UP
            and before is not None
            and before[0] is RouterState.DOWN
            and before[1] is not OutageCause.CENTRAL
        )
        if (own_outage or outage_over) and row.started_at > since:
            changes[row.router_id].append(row.started_at)
        previous[row.router_id] = (row.state, row.cause)
    return changes


def _alert_state(session: Session, router_id: int) -> RouterAlertState:
    row = session.get(RouterAlertState, router_id)
    if row is None:
        row = RouterAlertState(router_id=router_id)
        session.add(row)
    return row


def _run(changes: list[datetime], rules: FlapRules) -> list[datetime]:
    """The latest run of changes: back from the newest while no gap reaches `stable`. A gap
    that long was a stable stretch; what came before it is forgiven."""
    run: list[datetime] = []
    for at in reversed(changes):
        if run and run[-1] - at >= rules.stable:
            break
        run.append(at)
    return run[::-1]


def keep_flapping(
    *, session: Session, now: datetime, rules: FlapRules, heard: Recipients | None = None
) -> Flapping:
    """Find routers that began flapping and ones stable again, and queue their alerts
    (`heard`: the round's recipients, if the caller has them)."""
    heard = heard or Recipients(session)
    changes = _changes(session, now - max(rules.window, rules.stable))
    recent = {
        router_id: [at for at in _run(ats, rules) if at > now - rules.window]
        for router_id, ats in changes.items()
    }
    starting = {
        router_id
        for router_id, ats in recent.items()
        if len(ats) > rules.changes and ats[-1] > now - rules.stable
    }
    states = {
        row.router_id: row
        for row in session.scalars(
            select(RouterAlertState).where(
                or_(
                    RouterAlertState.flapping_since.is_not(None),
                    RouterAlertState.router_id.in_(starting),
                )
            )
        )
    }
    flapping = {r for r, row in states.items() if row.flapping_since is not None}
    about = about_routers(session, starting | flapping)
    queued = 0
    for router_id in sorted(starting - flapping):
        if router_id not in about:
            continue
        row = states.get(router_id) or _alert_state(session, router_id)
        row.flapping_since = now
        flapping.add(router_id)
        event = about[router_id].event(
            EventKind.FLAPPING,
            recent[router_id][-1],
            changes=len(recent[router_id]),
            window_minutes=int(rules.window.total_seconds() // 60),
            quiet_minutes=int(rules.stable.total_seconds() // 60),
        )
        key = f"flap:{router_id}:{stamp(now)}"
        queued += tell(session, about[router_id], event, key=key, now=now, heard=heard)
    for router_id in sorted(flapping - starting):
        last = changes.get(router_id, [])
        if router_id not in about or (last and last[-1] > now - rules.stable):
            continue
        queued += _stable_again(session, states[router_id], about[router_id], now, heard)
        flapping.discard(router_id)
    return Flapping(frozenset(flapping), queued)


def _stable_again(
    session: Session, row: RouterAlertState, about: AboutRouter, now: datetime, heard: Recipients
) -> int:
    """The router kept one state for long enough: say which (up, or still down: then its
    "back up" follows when it answers)."""
    assert row.flapping_since is not None
    key = f"stable:{row.router_id}:{stamp(row.flapping_since)}"
    row.flapping_since = None
    health = session.get(RouterHealth, row.router_id)
    if health is None or health.state is RouterState.UNKNOWN or health.cause is OutageCause.CENTRAL:
        # Nobody knows how the village is (unknown, or our side is down): nothing to say.
        row.down_alerted_since = None
        return 0
    if health.state is RouterState.UP:
        row.down_alerted_since = None
        event = about.event(EventKind.STABLE_UP, health.state_since)
    else:
        row.down_alerted_since = health.state_since
        minutes = int((now - health.state_since).total_seconds() // 60)
        event = about.event(EventKind.STABLE_DOWN, health.state_since, minutes_down=minutes)
    return tell(session, about, event, key=key, now=now, heard=heard)
