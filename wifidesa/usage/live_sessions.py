"""Sessions as admins see them: who is online, how much they used, what the router was told."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

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
from wifidesa.errors import NotFound
from wifidesa.places.sites import get_site
from wifidesa.usage.enforcement import request_disconnect
from wifidesa.usage.quota import Limit, QuotaStatus, load_limits, load_quota_usage, quota_status


def list_sessions(
    *, session: Session, site_code: str | None = None, open_only: bool = True, limit: int = 200
) -> list[AcctSession]:
    query = (
        select(AcctSession)
        .options(joinedload(AcctSession.router))
        .order_by(AcctSession.started_at.desc())
        .limit(limit)
    )
    if open_only:
        query = query.where(AcctSession.status == SessionStatus.OPEN)
    if site_code:
        query = query.where(AcctSession.site_id == get_site(session=session, code=site_code).id)
    return list(session.scalars(query))


@dataclass(frozen=True)
class LiveSession:
    """One open session as an admin sees it, with what is left of the account's quota."""

    id: int
    site_id: int
    site_code: str
    village: str
    router: str
    account_kind: AccountKind | None
    account: str  # voucher code or resident username; "" for a guest device
    mac: str | None
    started_at: datetime
    updated_at: datetime
    used_octets: int  # this session: upload + download
    quota: QuotaStatus | None  # None: the account's profile has no quota (or no account)
    throttled: bool
    coa_action: CoAAction | None
    coa_result: CoAResult | None
    coa_at: datetime | None
    coa_detail: str | None


def live_sessions(
    *, session: Session, scope: Scope, now: datetime, site_id: int | None = None, limit: int = 500
) -> list[LiveSession]:
    """The open sessions of the villages in the scope (or of one of them), newest first.

    Quota left comes from wifidesa.usage.quota, the rule RADIUS enforces, so the admin sees what
    the router will be told.
    """
    query = (
        select(
            AcctSession, Site.code, Site.name, Router.name, Account, Voucher.code, Member.username
        )
        .join(Site, Site.id == AcctSession.site_id)
        .join(Router, Router.id == AcctSession.router_id)
        .outerjoin(Account, Account.id == AcctSession.account_id)
        .outerjoin(Voucher, Voucher.account_id == AcctSession.account_id)
        .outerjoin(Member, Member.account_id == AcctSession.account_id)
        .where(AcctSession.status == SessionStatus.OPEN, site_filter(scope, AcctSession.site_id))
        .order_by(AcctSession.started_at.desc(), AcctSession.id.desc())
        .limit(limit)
    )
    if site_id is not None:
        require_site(session=session, scope=scope, site_id=site_id)
        query = query.where(AcctSession.site_id == site_id)
    rows = session.execute(query).all()
    quotas = _quotas(session, [r[4] for r in rows if r[4] is not None], now)
    return [
        LiveSession(
            id=live.id,
            site_id=live.site_id,
            site_code=site_code,
            village=village,
            router=router,
            account_kind=account.kind if account else None,
            account=code or username or "",
            mac=live.mac,
            started_at=live.started_at,
            updated_at=live.updated_at,
            used_octets=live.input_octets + live.output_octets,
            quota=quotas.get(account.id) if account else None,
            throttled=live.throttled,
            coa_action=live.coa_action,
            coa_result=live.coa_result,
            coa_at=live.coa_at,
            coa_detail=live.coa_detail,
        )
        for live, site_code, village, router, account, code, username in rows
    ]


def _quotas(session: Session, accounts: list[Account], now: datetime) -> dict[int, QuotaStatus]:
    """Quota status of each account whose profile has limits (wifidesa.usage.quota's one rule)."""
    if not accounts:
        return {}
    query = (
        select(Account.id, Site.timezone)
        .join(Site, Site.id == Account.site_id)
        .where(Account.id.in_({a.id for a in accounts}))
    )
    zones: dict[int, str] = dict(session.execute(query).all())
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
    """An admin's "disconnect": queued for the RADIUS service, which sends the Disconnect-Request
    and records the router's ACK, NAK or silence on the session.

    NotFound for sessions outside the scope; False if the session is closed already or a
    request for it is on its way.
    """
    live = session.scalar(
        select(AcctSession).where(
            AcctSession.id == session_id, site_filter(scope, AcctSession.site_id)
        )
    )
    if live is None:
        raise NotFound(f"session {session_id} not found")
    return _queue_disconnect(session, live, now, scope)


def disconnect_from_cli(*, session: Session, session_id: int, now: datetime) -> bool:
    """`wifidesa sessions disconnect`: the server's operator reaches every session."""
    live = session.get(AcctSession, session_id)
    if live is None:
        raise NotFound(f"session {session_id} not found")
    return _queue_disconnect(session, live, now, audit.CLI_ACTOR)


def _queue_disconnect(
    session: Session, live: AcctSession, now: datetime, actor: Scope | str
) -> bool:
    if not request_disconnect(session=session, session_id=live.id, now=now):
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
