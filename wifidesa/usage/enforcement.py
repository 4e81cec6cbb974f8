"""Quotas mid-session: which live sessions must be throttled, cut or restored, and what the
router answered. The RADIUS edge sends the CoA/Disconnect requests (RFC 5176); this module
decides and records, so the admin UI's "disconnect" and the quota use the same path.

A session is claimed in the database before its request is sent (coa_result = pending): when
two workers see the same account cross its quota, only one sends. A request still pending long
after its last try (`STALE_PENDING`) lost its sender to a restart: `recover_stale` tries it
again, so that nothing stays "pending" for good (an admin's Disconnect of that session would be
refused for ever, a throttled session never get its rate back).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, and_, or_, select, update
from sqlalchemy.orm import Session

from wifidesa.db.models import (
    Account,
    AcctSession,
    AfterQuota,
    CoAAction,
    CoAResult,
    Profile,
    SessionStatus,
    Site,
)
from wifidesa.localtime import local_day
from wifidesa.settings import DEFAULT_TIMEZONE
from wifidesa.stats.dirty import mark_days
from wifidesa.usage.quota import load_limits, load_quota_usage, quota_status


@dataclass(frozen=True)
class SessionAction:
    """A CoA or Disconnect request to send for one live session."""

    session_id: int
    router_id: int
    action: CoAAction
    username: str
    acct_session_id: str
    framed_ip: str | None
    rate_limit: str | None = None  # for THROTTLE and RESTORE


@dataclass(frozen=True)
class _AccountQuota:
    over: bool
    after_quota: AfterQuota
    rate_limit: str | None
    throttle_rate_limit: str | None


def _quota_states(
    session: Session, account_ids: Iterable[int], now: datetime
) -> dict[int, _AccountQuota]:
    ids = list(set(account_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(
            Account.id,
            Account.profile_id,
            Site.timezone,
            Profile.after_quota,
            Profile.rate_limit,
            Profile.throttle_rate_limit,
        )
        .join(Site, Site.id == Account.site_id)
        .join(Profile, Profile.id == Account.profile_id)
        .where(Account.id.in_(ids))
    ).all()
    limits = load_limits(session=session, profile_ids={r[1] for r in rows})
    usage = load_quota_usage(
        session=session,
        now=now,
        accounts={r[0]: (limits[r[1]], r[2]) for r in rows if r[1] in limits},
    )
    states: dict[int, _AccountQuota] = {}
    for account_id, profile_id, zone, after_quota, rate, throttle_rate in rows:
        over = (
            profile_id in limits
            and quota_status(limits[profile_id], usage.get(account_id, {}), now, zone).over
        )
        states[account_id] = _AccountQuota(over, after_quota, rate, throttle_rate)
    return states


_IN_FLIGHT = (CoAResult.PENDING, CoAResult.QUEUED)
# A request is answered or given up within seconds (radius.coa: three tries, 6 s in all); one
# pending for longer was cut short by a restart of the RADIUS service.
STALE_PENDING = timedelta(seconds=30)
CUT_SHORT = "cut short by a restart of the RADIUS service"


def _claim(
    session: Session,
    candidates: Sequence[tuple[int, CoAAction]],
    now: datetime,
    result: CoAResult = CoAResult.PENDING,
) -> set[int]:
    """Mark sessions as having a request in flight; returns the ids this caller claimed."""
    claimed: set[int] = set()
    for session_id, action in candidates:
        outcome = session.execute(
            update(AcctSession)
            .where(
                AcctSession.id == session_id,
                or_(AcctSession.coa_result.is_(None), AcctSession.coa_result.not_in(_IN_FLIGHT)),
            )
            .values(coa_action=action, coa_result=result, coa_at=now, coa_detail=None)
            .execution_options(synchronize_session=False)
        )
        if getattr(outcome, "rowcount", 0):
            claimed.add(session_id)
    return claimed


def _open_sessions(session: Session, account_ids: Iterable[int]) -> list[AcctSession]:
    return list(
        session.scalars(
            select(AcctSession).where(
                AcctSession.account_id.in_(list(account_ids)),
                AcctSession.status == SessionStatus.OPEN,
            )
        )
    )


def _action(row: AcctSession, action: CoAAction, rate: str | None) -> SessionAction:
    return SessionAction(
        row.id, row.router_id, action, row.username, row.acct_session_id, row.framed_ip, rate
    )


def plan_quota_actions(
    *, session: Session, account_ids: Iterable[int], now: datetime
) -> list[SessionAction]:
    """For accounts whose usage just grew: throttle or cut their live sessions if over quota.

    A session is not asked twice for the same thing: a throttle that the router refused or
    never answered is left as recorded (the next login is throttled or refused anyway).
    """
    states = {i: q for i, q in _quota_states(session, account_ids, now).items() if q.over}
    if not states:
        return []
    candidates: list[tuple[AcctSession, CoAAction, str | None]] = []
    for row in _open_sessions(session, states):
        quota = states[cast(int, row.account_id)]
        if quota.after_quota is AfterQuota.THROTTLE:
            if row.throttled or row.coa_action is CoAAction.THROTTLE:
                continue
            candidates.append((row, CoAAction.THROTTLE, quota.throttle_rate_limit))
        elif row.coa_action is not CoAAction.DISCONNECT:
            candidates.append((row, CoAAction.DISCONNECT, None))
    claimed = _claim(session, [(r.id, a) for r, a, _ in candidates], now)
    _record_quota_hits(session, [r for r, _, _ in candidates if r.id in claimed], now)
    return [_action(r, a, rate) for r, a, rate in candidates if r.id in claimed]


def _record_quota_hits(session: Session, rows: Sequence[AcctSession], now: datetime) -> None:
    """Statistics count the accounts that reached their quota, per village and local day: the
    session keeps when it first did, and the day is marked for the rollup."""
    if not rows:
        return
    session.execute(
        update(AcctSession)
        .where(AcctSession.id.in_([r.id for r in rows]), AcctSession.quota_hit_at.is_(None))
        .values(quota_hit_at=now)
        .execution_options(synchronize_session=False)
    )
    zones = {
        site.id: site.timezone
        for site in session.execute(
            select(Site.id, Site.timezone).where(Site.id.in_({r.site_id for r in rows}))
        )
    }
    mark_days(
        session=session,
        site_days={
            (r.site_id, local_day(now, zones.get(r.site_id, DEFAULT_TIMEZONE))) for r in rows
        },
    )


def plan_restores(*, session: Session, now: datetime) -> list[SessionAction]:
    """Throttled live sessions whose quota period has reset: their normal rate, back by CoA."""
    throttled = list(
        session.scalars(
            select(AcctSession).where(
                AcctSession.status == SessionStatus.OPEN,
                AcctSession.throttled.is_(True),
                AcctSession.account_id.is_not(None),
            )
        )
    )
    if not throttled:
        return []
    states = _quota_states(session, {cast(int, r.account_id) for r in throttled}, now)
    candidates = [
        (r, states[cast(int, r.account_id)].rate_limit)
        for r in throttled
        if not states[cast(int, r.account_id)].over
        and not (
            r.coa_action is CoAAction.RESTORE and r.coa_result in (CoAResult.NAK, CoAResult.TIMEOUT)
        )
    ]
    claimed = _claim(session, [(r.id, CoAAction.RESTORE) for r, _ in candidates], now)
    return [_action(r, CoAAction.RESTORE, rate) for r, rate in candidates if r.id in claimed]


def request_disconnect(*, session: Session, session_id: int, now: datetime) -> bool:
    """Queue an admin's "disconnect" for the RADIUS service, which sends it within seconds.

    False if the session is not open or a request for it is already on its way.
    """
    row = session.get(AcctSession, session_id)
    if row is None or row.status is not SessionStatus.OPEN:
        return False
    return bool(_claim(session, [(row.id, CoAAction.DISCONNECT)], now, CoAResult.QUEUED))


def disconnect_account(*, session: Session, account_id: int, now: datetime) -> int:
    """Queue a Disconnect for every open session of an account (revoked card, disabled
    resident); returns how many were queued."""
    live = session.scalars(
        select(AcctSession.id).where(
            AcctSession.account_id == account_id, AcctSession.status == SessionStatus.OPEN
        )
    ).all()
    return sum(request_disconnect(session=session, session_id=i, now=now) for i in live)


def take_queued(*, session: Session, now: datetime) -> list[SessionAction]:
    """Queued requests, now marked as sent by the caller (one RADIUS worker takes each)."""
    rows = list(
        session.scalars(select(AcctSession).where(AcctSession.coa_result == CoAResult.QUEUED))
    )
    taken = []
    for row in rows:
        outcome = session.execute(
            update(AcctSession)
            .where(AcctSession.id == row.id, AcctSession.coa_result == CoAResult.QUEUED)
            .values(coa_result=CoAResult.PENDING, coa_at=now)
            .execution_options(synchronize_session=False)
        )
        if getattr(outcome, "rowcount", 0) and row.coa_action is not None:
            taken.append(_action(row, row.coa_action, None))
    return taken


def requests_due(*, session: Session, now: datetime) -> bool:
    """Whether a Disconnect is queued or a request was cut short: a cheap read (an index of the
    few sessions with a request) that the RADIUS service makes every second."""
    queued = select(AcctSession.id).where(AcctSession.coa_result == CoAResult.QUEUED).limit(1)
    stale = (
        select(AcctSession.id)
        .where(
            AcctSession.coa_result == CoAResult.PENDING, AcctSession.coa_at < now - STALE_PENDING
        )
        .limit(1)
    )
    return session.scalar(queued) is not None or session.scalar(stale) is not None


def recover_stale(*, session: Session, now: datetime) -> int:
    """Requests pending past `STALE_PENDING`, whose sender stopped before the router answered,
    are tried again: a Disconnect of an open session is queued (`take_queued` sends it); a
    throttle or restore is forgotten, so that the planners decide it afresh with the current
    rates (the next interim over quota, the next housekeeping after the reset; sending either
    twice is harmless). Anything else is marked as not answered. Returns how many were found."""
    stale = (
        AcctSession.coa_result == CoAResult.PENDING,
        AcctSession.coa_at < now - STALE_PENDING,
    )
    found = 0
    for action, values in (
        (
            CoAAction.DISCONNECT,
            {"coa_result": CoAResult.QUEUED, "coa_at": now, "coa_detail": None},
        ),
        (CoAAction.THROTTLE, {"coa_action": None, "coa_result": None, "coa_detail": None}),
        (CoAAction.RESTORE, {"coa_action": None, "coa_result": None, "coa_detail": None}),
    ):
        outcome = session.execute(
            update(AcctSession)
            .where(
                *stale, AcctSession.coa_action == action, AcctSession.status == SessionStatus.OPEN
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        found += int(getattr(outcome, "rowcount", 0) or 0)
    closed = session.execute(  # the session ended meanwhile: nothing left to do
        update(AcctSession)
        .where(*stale)
        .values(coa_result=CoAResult.TIMEOUT, coa_at=now, coa_detail=CUT_SHORT)
        .execution_options(synchronize_session=False)
    )
    return found + int(getattr(closed, "rowcount", 0) or 0)


def record_outcome(
    *,
    session: Session,
    action: SessionAction,
    result: CoAResult,
    now: datetime,
    detail: str | None = None,
) -> None:
    """Store what the router answered; an acknowledged throttle/restore flips `throttled`."""
    values: dict[str, object] = {
        "coa_result": result,
        "coa_at": now,
        "coa_detail": (detail or None) and detail[:64],
    }
    if result is CoAResult.ACK and action.action is CoAAction.THROTTLE:
        values["throttled"] = True
    if result is CoAResult.ACK and action.action is CoAAction.RESTORE:
        values["throttled"] = False
    table = cast(Table, AcctSession.__table__)
    session.execute(
        table.update()
        .where(and_(table.c.id == action.session_id, table.c.coa_action == action.action))
        .values(**values)
    )
