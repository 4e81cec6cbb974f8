"""An admin's villages at a glance: who is online, how many vouchers are left, router health."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wifidesa.admin.scope import Scope, site_filter
from wifidesa.db.models import (
    Account,
    AccountKind,
    AccountStatus,
    AcctSession,
    Region,
    Router,
    Site,
)
from wifidesa.db.models.sessions import OPEN_SESSION


@dataclass(frozen=True)
class SiteRow:
    id: int
    code: str
    name: str
    region: str
    online: int
    unused_vouchers: int
    routers: int
    last_seen_at: datetime | None


def site_overview(*, session: Session, scope: Scope, limit: int = 500) -> list[SiteRow]:
    """The sites in the admin's scope with live figures, by name."""
    online = (
        select(AcctSession.site_id, func.count().label("n"))
        .where(OPEN_SESSION, site_filter(scope, AcctSession.site_id))
        .group_by(AcctSession.site_id)
        .subquery()
    )
    unused = (
        select(Account.site_id, func.count().label("n"))
        .where(
            Account.kind == AccountKind.VOUCHER,
            Account.status == AccountStatus.ACTIVE,
            Account.first_used_at.is_(None),
            site_filter(scope, Account.site_id),
        )
        .group_by(Account.site_id)
        .subquery()
    )
    routers = (
        select(
            Router.site_id,
            func.count().label("n"),
            func.max(Router.last_seen_at).label("seen"),
        )
        .group_by(Router.site_id)
        .subquery()
    )
    query = (
        select(
            Site.id,
            Site.code,
            Site.name,
            Region.name,
            func.coalesce(online.c.n, 0),
            func.coalesce(unused.c.n, 0),
            func.coalesce(routers.c.n, 0),
            routers.c.seen,
        )
        .join(Region, Region.id == Site.region_id)
        .outerjoin(online, online.c.site_id == Site.id)
        .outerjoin(unused, unused.c.site_id == Site.id)
        .outerjoin(routers, routers.c.site_id == Site.id)
        .where(site_filter(scope, Site.id))
        .order_by(Site.name, Site.code)
        .limit(limit)
    )
    return [SiteRow(*row) for row in session.execute(query)]
