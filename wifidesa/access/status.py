"""What a villager sees on the status page: their package, time and data left, when it resets.

From the same quota rules as RADIUS (wifidesa.usage.quota), so the page and the router agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from wifidesa.db.models import (
    Account,
    AcctSession,
    Member,
    Profile,
    Router,
    Site,
    Voucher,
)
from wifidesa.db.models.sessions import OPEN_SESSION
from wifidesa.usage.quota import QuotaStatus, load_limits, load_quota_usage, quota_status
from wifidesa.usernames import normalize_mac, parse_login_name


@dataclass(frozen=True)
class VillagerStatus:
    profile: str
    description: str
    rate_limit: str | None
    expires_at: datetime | None
    quota: QuotaStatus | None  # None: the package has no quota
    zone: str


def villager_status(
    *, session: Session, username: str, mac: str | None, router_name: str, now: datetime
) -> VillagerStatus | None:
    """The status of the account behind a hotspot user name (voucher code or member), for a
    device that is online with it at that router (the router's status page sends its MAC):
    nobody reads a resident's package and usage by typing a name into a URL."""
    name = parse_login_name(username)
    device = normalize_mac(mac)
    if device is None:
        return None
    account_id = session.scalar(
        select(Voucher.account_id).where(Voucher.code == name.voucher_code)
    ) or session.scalar(select(Member.account_id).where(Member.username == name.member_username))
    if account_id is None:
        return None
    online = session.scalar(
        select(AcctSession.id)
        .join(Router, Router.id == AcctSession.router_id)
        .where(
            AcctSession.account_id == account_id,
            OPEN_SESSION,
            AcctSession.mac == device,
            Router.name == router_name,
        )
        .limit(1)
    )
    if online is None:
        return None
    account, profile, site = session.execute(
        select(Account, Profile, Site)
        .join(Profile, Profile.id == Account.profile_id)
        .join(Site, Site.id == Account.site_id)
        .where(Account.id == account_id)
    ).one()
    limits = load_limits(session=session, profile_ids=[profile.id]).get(profile.id, [])
    quota = None
    if limits:
        usage = load_quota_usage(
            session=session, now=now, accounts={account.id: (limits, site.timezone)}
        )
        quota = quota_status(limits, usage[account.id], now, site.timezone)
    return VillagerStatus(
        profile=profile.name,
        description=profile.description,
        rate_limit=profile.rate_limit,
        expires_at=account.expires_at,
        quota=quota,
        zone=site.timezone,
    )
