"""Sessions as admins and the CLI see them: who is online, how much they used, what the router
was told; and the "disconnect" that admins and the CLI ask for (one function, any scope)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from wifidesa.admin import audit
from wifidesa.admin.scope import Scope, require_site, site_filter
from wifidesa.db.models import (
    Account,
    AccountKind,
    AcctSession,
    CoAAction,
    CoAResult,
    Member,
    Router,
    SessionStatus,
    Site,
    Voucher,
)
from wifidesa.db.models.sessions import OPEN_SESSION
from wifidesa.errors import ErrorCode, NotFound
from wifidesa.usage.coa_requests import request_disconnect
from wifidesa.usage.quota import Limit, QuotaStatus, load_limits, load_quota_usage, quota_status


@dataclass(frozen=True)
class LiveSession:
    """One session as an admin sees it, with what is left of the account's quota."""

    id: int
    site_id: int
    site_code: str
    village: str
    router: str
    account_kind: AccountKind | None
    account: str  # voucher code or resident username; "" for a guest device
    username: str | None  # the User-Name the router sent
    mac: str | None
    started_at: datetime
    updated_at: datetime
    status: SessionStatus
    session_time: int  # seconds, as the router counted them
    used_octets: int  # this session: upload + download
    quota: QuotaStatus | None  # None: the account's profile has no quota (or no account)
    throttled: bool
    coa_action: CoAAction | None
    coa_result: CoAResult | None
    coa_at: datetime | None
    coa_detail: str | None


def live_sessions(
    *,
    session: Session,
    scope: Scope,
    now: datetime,
    site_id: int | None = None,
    open_only: bool = True,
    limit: int = 500,
) -> list[LiveSession]:
    """The open sessions (or with `open_only=False` the recent ones, closed and lost too) of
    the villages in the scope, or of one of them, newest first.

    Quota left comes from wifidesa.usage.quota, the rule RADIUS enforces, so the admin sees what
    the router will be told.
    """
    query = (
        select(
            AcctSession,
            Site.code.label("site_code"),
            Site.name.label("village"),
            Router.name.label("router"),
            Account,
            Voucher.code.label("voucher_code"),
            Member.username.label("member"),
        )
        .join(Site, Site.id == AcctSession.site_id)
        .join(Router, Router.id == AcctSession.router_id)
        .outerjoin(Account, Account.id == AcctSession.account_id)
        .outerjoin(Voucher, Voucher.account_id == AcctSession.account_id)
        .outerjoin(Member, Member.account_id == AcctSession.account_id)
        .where(site_filter(scope, AcctSession.site_id))
        .order_by(AcctSession.started_at.desc(), AcctSession.id.desc())
        .limit(limit)
    )
    if open_only:
        query = query.where(OPEN_SESSION)
    if site_id is not None:
        require_site(session=session, scope=scope, site_id=site_id)
        query = query.where(AcctSession.site_id == site_id)
    rows = session.execute(query).all()
    quotas = _quotas(session, [row.Account for row in rows if row.Account is not None], now)
    return [_live(row, quotas) for row in rows]


def _live(row: Any, quotas: dict[int, QuotaStatus]) -> LiveSession:
    live: AcctSession = row.AcctSession
    account: Account | None = row.Account
    return LiveSession(
        id=live.id,
        site_id=live.site_id,
        site_code=row.site_code,
        village=row.village,
        router=row.router,
        account_kind=account.kind if account else None,
        account=row.voucher_code or row.member or "",
        username=live.username,
        mac=live.mac,
        started_at=live.started_at,
        updated_at=live.updated_at,
        status=live.status,
        session_time=live.session_time,
        used_octets=live.input_octets + live.output_octets,
        quota=quotas.get(account.id) if account else None,
        throttled=live.throttled,
        coa_action=live.coa_action,
        coa_result=live.coa_result,
        coa_at=live.coa_at,
        coa_detail=live.coa_detail,
    )


def _quotas(session: Session, accounts: list[Account], now: datetime) -> dict[int, QuotaStatus]:
    """Quota status of each account whose profile has limits (wifidesa.usage.quota's one rule)."""
    if not accounts:
        return {}
    query = (
        select(Account.id, Site.timezone)
        .join(Site, Site.id == Account.site_id)
        .where(Account.id.in_({a.id for a in accounts}))
    )
    zones = {row.id: row.timezone for row in session.execute(query)}
    limits = load_limits(session=session, profile_ids={a.profile_id for a in accounts})
    wanted: dict[int, tuple[Sequence[Limit], str]] = {
        a.id: (limits[a.profile_id], zones[a.id]) for a in accounts if a.profile_id in limits
    }
    usage = load_quota_usage(session=session, accounts=wanted, now=now)
    return {
        account_id: quota_status(account_limits, usage.get(account_id, {}), now, zone)
        for account_id, (account_limits, zone) in wanted.items()
    }


def disconnect(*, session: Session, scope: Scope, session_id: int, now: datetime) -> bool:
    """An admin's (or the CLI's) "disconnect": queued for the RADIUS service, which sends the
    Disconnect-Request and records the router's ACK, NAK or silence on the session.

    NotFound for sessions outside the scope; False if the session is closed already or a
    request for it is on its way.
    """
    live = session.scalar(
        select(AcctSession).where(
            AcctSession.id == session_id, site_filter(scope, AcctSession.site_id)
        )
    )
    if live is None:
        raise NotFound(ErrorCode.SESSION_NOT_FOUND, session_id=session_id)
    return _queue_disconnect(session, live, now, scope)


def _queue_disconnect(session: Session, live: AcctSession, now: datetime, actor: Scope) -> bool:
    if not request_disconnect(
        session=session,
        session_id=live.id,
        now=now,
        asked_by=actor.username,
        admin_id=actor.admin_id,
    ):
        return False
    audit.record(
        session=session,
        action="sessions.disconnect",
        actor=actor,
        object_type="session",
        object_id=live.id,
        site_id=live.site_id,
        username=live.username,
    )
    return True
