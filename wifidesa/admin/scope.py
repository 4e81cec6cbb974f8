"""Which villages an admin may see and change: the one place the scope rule is written.

Province admins see every site; kabupaten admins the sites whose region lies under their
kabupaten (by Kemendagri code prefix, e.g. 64.03.*); desa admins only the sites they were given.
Every admin query in the core filters with `site_filter` or checks with `require_site`, so a
route that forgets to hide a link still cannot read or change another village's data.

Objects outside the scope are reported as not found, never as forbidden: an admin guessing ids
learns nothing about other villages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, false, func, select, true
from sqlalchemy.orm import InstrumentedAttribute, Session

from wifidesa.db.models import AdminRole, AdminUser, Profile, Region, Site, admin_sites
from wifidesa.errors import ErrorCode, NotFound, WifidesaError


class Forbidden(WifidesaError):
    """The admin's role does not allow this kind of operation (not a matter of scope)."""


@dataclass(frozen=True)
class Scope:
    """An admin's reach, detached from the ORM so it can travel with a request."""

    admin_id: int | None  # None: the operator at the command line (OPERATOR)
    username: str
    role: AdminRole
    region_id: int | None = None  # kabupaten admins
    region_code: str | None = None
    site_ids: frozenset[int] = frozenset()  # desa admins

    @property
    def everything(self) -> bool:
        return self.role is AdminRole.PROVINCE

    @property
    def oversees(self) -> bool:
        """Province and kabupaten admins: define profiles, add sites and routers."""
        return self.role is not AdminRole.DESA


# The operator at the command line (`wifidesa ...`): reaches every village, like a province
# admin, and is recorded in the audit log as "cli". The CLI calls the same operations as the
# admin UI and the API with this scope, so every rule holds on every path.
OPERATOR = Scope(admin_id=None, username="cli", role=AdminRole.PROVINCE)


def scope_of(admin: AdminUser) -> Scope:
    region = admin.region
    return Scope(
        admin_id=admin.id,
        username=admin.username,
        role=admin.role,
        region_id=admin.region_id,
        region_code=region.code if region is not None else None,
        site_ids=frozenset(site.id for site in admin.sites),
    )


def visible_site_ids(scope: Scope) -> Select[Any]:
    """A subquery of the ids of the sites this scope reaches."""
    query = select(Site.id)
    if scope.role is AdminRole.KABUPATEN:
        query = query.join(Region, Region.id == Site.region_id).where(
            Region.code.startswith(f"{scope.region_code}.", autoescape=True)
        )
    elif scope.role is AdminRole.DESA:
        query = query.join(admin_sites, admin_sites.c.site_id == Site.id).where(
            admin_sites.c.admin_id == scope.admin_id
        )
    return query


def site_filter(
    scope: Scope, column: InstrumentedAttribute[int] | ColumnElement[int]
) -> ColumnElement[bool]:
    """A WHERE clause keeping rows whose site column lies in the scope."""
    if scope.everything:
        return true()
    return column.in_(visible_site_ids(scope).scalar_subquery())


def in_scope(*, session: Session, scope: Scope, site_id: int) -> bool:
    if scope.everything:
        return True
    found = session.scalar(select(Site.id).where(Site.id == site_id, site_filter(scope, Site.id)))
    return found is not None


def require_site(*, session: Session, scope: Scope, site_id: int) -> Site:
    """The site if the scope reaches it; NotFound otherwise (also for ids that do not exist)."""
    site = session.get(Site, site_id)
    if site is None or not in_scope(session=session, scope=scope, site_id=site_id):
        raise NotFound(ErrorCode.SITE_ID_NOT_FOUND, site_id=site_id)
    return site


def require_site_code(*, session: Session, scope: Scope, code: str) -> Site:
    site = session.scalar(select(Site).where(Site.code == code))
    if site is None or not in_scope(session=session, scope=scope, site_id=site.id):
        raise NotFound(ErrorCode.SITE_NOT_FOUND, code=code)
    return site


def visible_sites(*, session: Session, scope: Scope) -> list[Site]:
    query = select(Site).where(site_filter(scope, Site.id)).order_by(Site.name, Site.code)
    return list(session.scalars(query))


def require_oversight(scope: Scope) -> None:
    if not scope.oversees:
        raise Forbidden(ErrorCode.OVERSEERS_ONLY)


def require_province(scope: Scope) -> None:
    if not scope.everything:
        raise Forbidden(ErrorCode.PROVINCE_ONLY)


def profile_filter(scope: Scope) -> ColumnElement[bool]:
    """Profiles an admin may use: province-wide ones and those of the admin's kabupaten.

    Desa admins pick among the profiles of the kabupaten(s) their villages lie in.
    """
    if scope.everything:
        return true()
    if scope.role is AdminRole.KABUPATEN:
        return Profile.region_id.is_(None) | (Profile.region_id == scope.region_id)
    if not scope.site_ids:
        return false()
    kabupaten_codes = _kabupaten_codes_of_sites(scope)
    own = select(Region.id).where(Region.code.in_(kabupaten_codes)).scalar_subquery()
    return Profile.region_id.is_(None) | Profile.region_id.in_(own)


def _kabupaten_codes_of_sites(scope: Scope) -> Select[Any]:
    # A desa code is PP.KK.CC.DDDD; its kabupaten is the first five characters (PP.KK).
    return (
        select(func.substr(Region.code, 1, 5))
        .join(Site, Site.region_id == Region.id)
        .where(Site.id.in_(scope.site_ids))
    )


def profile_editable(scope: Scope, profile: Profile) -> bool:
    """Province admins edit every profile; kabupaten admins only their kabupaten's."""
    if scope.everything:
        return True
    return scope.role is AdminRole.KABUPATEN and profile.region_id == scope.region_id
