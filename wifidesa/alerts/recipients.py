"""Who hears of a site: the enabled channels of active admins whose scope reaches it.

The scope rule is the one of wifidesa.admin.scope (`in_scope`), applied to each admin with a
channel: province admins hear of every site, kabupaten admins of their kabupaten's, desa
admins of their own villages. Each distinct scope is asked once per call (kabupaten admins of
one kabupaten share theirs).
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from wifidesa.admin.scope import Scope, in_scope, scope_of
from wifidesa.db.models import AdminRole, AdminUser, AlertChannel


def _key(scope: Scope) -> tuple[object, ...]:
    # Scopes that reach the same sites whoever holds them: the rule's inputs but the admin.
    if scope.site_ids:
        return (scope.role, scope.region_code, scope.site_ids)
    return (scope.role, scope.region_code)


def recipients(*, session: Session, site_id: int) -> list[AlertChannel]:
    """The enabled channels, by id, of the active admins whose scope reaches the site."""
    channels = list(
        session.scalars(
            select(AlertChannel)
            .join(AdminUser, AdminUser.id == AlertChannel.admin_id)
            .where(AlertChannel.enabled.is_(True), AdminUser.is_active.is_(True))
            .order_by(AlertChannel.id)
        )
    )
    if not channels:
        return []
    admin_ids = {c.admin_id for c in channels}
    admins = session.scalars(
        select(AdminUser)
        .where(AdminUser.id.in_(admin_ids))
        .options(selectinload(AdminUser.sites), selectinload(AdminUser.region))
    )
    by_key: dict[tuple[object, ...], list[int]] = defaultdict(list)
    scopes: dict[tuple[object, ...], Scope] = {}
    for admin in admins:
        scope = scope_of(admin)
        by_key[_key(scope)].append(admin.id)
        scopes.setdefault(_key(scope), scope)
    reached = {
        admin_id
        for key, ids in by_key.items()
        if in_scope(session=session, scope=scopes[key], site_id=site_id)
        for admin_id in ids
    }
    return [c for c in channels if c.admin_id in reached]


def province_channels(*, session: Session) -> list[AlertChannel]:
    """The enabled channels, by id, of active province admins: who hears of the central side
    (an incident concerns the whole fleet, not a village of a kabupaten)."""
    return list(
        session.scalars(
            select(AlertChannel)
            .join(AdminUser, AdminUser.id == AlertChannel.admin_id)
            .where(
                AlertChannel.enabled.is_(True),
                AdminUser.is_active.is_(True),
                AdminUser.role == AdminRole.PROVINCE,
            )
            .order_by(AlertChannel.id)
        )
    )
