"""Who hears of a site: the enabled channels of active admins whose scope reaches it.

The scope rule is the one of wifidesa.admin.scope (`site_filter`), applied to each admin with a
channel: province admins hear of every site, kabupaten admins of their kabupaten's, desa
admins of their own villages. Each distinct scope is asked once per call (kabupaten admins of
one kabupaten share theirs).
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from wifidesa.admin.scope import Scope, scope_of, site_filter
from wifidesa.db.models import AdminRole, AdminUser, AlertChannel, Site


def _key(scope: Scope) -> tuple[object, ...]:
    # Scopes that reach the same sites whoever holds them: the rule's inputs but the admin.
    if scope.site_ids:
        return (scope.role, scope.region_code, scope.site_ids)
    return (scope.role, scope.region_code)


class Recipients:
    """Who hears of each of many sites, for one poll round: the channels, their admins and
    the sites each distinct scope reaches are read once (on the first site asked about), not
    for every event - a kabupaten's 150 villages going down at once would otherwise be ~600
    queries inside the round's write transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._channels: list[AlertChannel] | None = None
        self._admins: dict[tuple[object, ...], list[int]] = defaultdict(list)
        self._scopes: dict[tuple[object, ...], Scope] = {}
        self._reach: dict[tuple[object, ...], frozenset[int] | None] = {}  # None: every site

    def of_site(self, site_id: int) -> list[AlertChannel]:
        """The enabled channels, by id, of the active admins whose scope reaches the site."""
        channels = self._load()
        reached = {
            admin_id
            for key, ids in self._admins.items()
            if self._reaches(key, site_id)
            for admin_id in ids
        }
        return [c for c in channels if c.admin_id in reached]

    def _load(self) -> list[AlertChannel]:
        if self._channels is not None:
            return self._channels
        session = self.session
        self._channels = list(
            session.scalars(
                select(AlertChannel)
                .join(AdminUser, AdminUser.id == AlertChannel.admin_id)
                .where(AlertChannel.enabled.is_(True), AdminUser.is_active.is_(True))
                .order_by(AlertChannel.id)
            )
        )
        admin_ids = {c.admin_id for c in self._channels}
        if admin_ids:
            admins = session.scalars(
                select(AdminUser)
                .where(AdminUser.id.in_(admin_ids))
                .options(selectinload(AdminUser.sites), selectinload(AdminUser.region))
            )
            for admin in admins:
                scope = scope_of(admin)
                self._admins[_key(scope)].append(admin.id)
                self._scopes.setdefault(_key(scope), scope)
        return self._channels

    def _reaches(self, key: tuple[object, ...], site_id: int) -> bool:
        if key not in self._reach:
            scope = self._scopes[key]
            self._reach[key] = (
                None
                if scope.everything
                else frozenset(
                    self.session.scalars(select(Site.id).where(site_filter(scope, Site.id)))
                )
            )
        reach = self._reach[key]
        return reach is None or site_id in reach


def recipients(*, session: Session, site_id: int) -> list[AlertChannel]:
    """The enabled channels, by id, of the active admins whose scope reaches the site."""
    return Recipients(session).of_site(site_id)


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
