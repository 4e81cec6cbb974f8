"""Quotas mid-session: which live sessions must be throttled, cut or restored. The RADIUS edge
sends the CoA/Disconnect requests (RFC 5176); the requests themselves, the admins' disconnects
and the routers' answers are wifidesa.usage.coa_requests, so the admin UI's "disconnect" and the
quota use the same path.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from wifidesa.db.models import (
    Account,
    AcctSession,
    AfterQuota,
    CoAAction,
    CoAResult,
    Profile,
    Site,
)
from wifidesa.db.models.sessions import OPEN_SESSION
from wifidesa.localtime import local_day
from wifidesa.settings import DEFAULT_TIMEZONE
from wifidesa.stats.dirty import mark_days
from wifidesa.usage.coa_requests import SessionAction, claim_requests
from wifidesa.usage.quota import load_limits, load_quota_usage, quota_status


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


def _open_sessions(session: Session, account_ids: Iterable[int]) -> list[AcctSession]:
    return list(
        session.scalars(
            select(AcctSession).where(
                AcctSession.account_id.in_(list(account_ids)),
                OPEN_SESSION,
            )
        )
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
    claimed = claim_requests(session, candidates, now)
    ids = {a.session_id for a in claimed}
    _record_quota_hits(session, [r for r, _, _ in candidates if r.id in ids], now)
    return claimed


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
                OPEN_SESSION,
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
    return claim_requests(session, [(r, CoAAction.RESTORE, rate) for r, rate in candidates], now)
