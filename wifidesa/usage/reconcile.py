"""Sessions that accounting lost, found by reading a router's active hotspot users (a
`read_active` router task, daily and on demand): a session we think open that the router no
longer has is closed as lost (its Stop never reached us: a VSAT outage, a restart of ours);
users the router has logged in with no open session here are counted and reported (their
Start never reached us; the next interim creates the session)."""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from wifidesa.db.models import AcctSession, RouterTask, SessionStatus, Site, TaskState
from wifidesa.db.models.sessions import OPEN_SESSION
from wifidesa.fleet import tasks
from wifidesa.localtime import local_day
from wifidesa.stats.dirty import mark_days

log = logging.getLogger(__name__)

# The terminate cause of a session closed because its router no longer had it.
NOT_ON_ROUTER = "Lost-Not-On-Router"


@dataclass(frozen=True)
class Reconciled:
    active: int  # users the router had logged in
    lost: int  # open sessions here that the router no longer had: closed
    unknown: int  # users logged in there with no open session here


def _key(user: str, mac: str | None) -> tuple[str, str]:
    return user.casefold(), (mac or "").strip().upper().replace("-", ":")


def reconcile_active(
    *,
    session: Session,
    router_id: int,
    active: Collection[tuple[str, str]],
    read_at: datetime,
) -> Reconciled:
    """Compare the router's active users, (user name, MAC) as read at `read_at`, with our
    open sessions of that router. Sessions started or heard from after the read are left
    alone: the router may have logged them in since."""
    on_router = {_key(user, mac) for user, mac in active}
    users_on_router = {user for user, _ in on_router}
    rows = session.execute(
        select(
            AcctSession.id,
            AcctSession.username,
            AcctSession.mac,
            AcctSession.site_id,
            AcctSession.updated_at,
        ).where(
            AcctSession.router_id == router_id,
            OPEN_SESSION,
        )
    ).all()
    matched: set[tuple[str, str]] = set()
    lost = []
    for row in rows:
        key = _key(row.username, row.mac)
        if key in on_router or (row.mac is None and key[0] in users_on_router):
            matched.add(key)
        elif row.updated_at < read_at:
            lost.append(row)
    if lost:
        session.execute(
            update(AcctSession)
            .where(
                AcctSession.id.in_([r.id for r in lost]),
                OPEN_SESSION,
                AcctSession.updated_at < read_at,
            )
            .values(status=SessionStatus.LOST, stopped_at=read_at, terminate_cause=NOT_ON_ROUTER)
            .execution_options(synchronize_session=False)
        )
        _mark_days(session, [(r.site_id, r.updated_at) for r in lost], read_at)
    unknown = len(on_router - matched)
    return Reconciled(active=len(on_router), lost=len(lost), unknown=unknown)


def _mark_days(
    session: Session, spans: Collection[tuple[int, datetime]], stopped_at: datetime
) -> None:
    """The statistics spread a session over its span, which now ends at `stopped_at`: the
    local days from its last record to then are computed again."""
    sites = {site_id for site_id, _ in spans}
    query = select(Site.id, Site.timezone).where(Site.id.in_(sites))
    zones = {row.id: row.timezone for row in session.execute(query)}
    days = set()
    for site_id, heard in spans:
        zone = zones.get(site_id, "UTC")
        day, last = local_day(heard, zone), local_day(stopped_at, zone)
        while day <= last:
            days.add((site_id, day))
            day += timedelta(days=1)
    mark_days(session=session, site_days=days)


def record_read(
    *,
    session: Session,
    claimed: tasks.Claimed,
    active: Collection[tuple[str, str]],
    read_at: datetime,
    now: datetime,
) -> Reconciled | None:
    """A read of the active list, reconciled and recorded on its task (None: the claim was
    lost meanwhile, and nothing is changed)."""
    held = session.scalar(
        select(RouterTask.id).where(RouterTask.id == claimed.id, RouterTask.claim == claimed.claim)
    )
    if held is None:
        return None
    found = reconcile_active(
        session=session, router_id=claimed.router_id, active=active, read_at=read_at
    )
    outcome = (
        f"{found.active} active on the router; {found.lost} lost session(s) closed; "
        f"{found.unknown} active without a session here"
    )
    tasks.finish(session=session, claimed=claimed, state=TaskState.DONE, now=now, outcome=outcome)
    if found.lost or found.unknown:
        # Counts only: no user name or MAC in the log.
        log.info(
            "router %s: %d lost session(s) closed, %d user(s) active without a session",
            claimed.router_id,
            found.lost,
            found.unknown,
        )
    return found
