"""Sites and routers as admins and the CLI list them: plain rows, read within the scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from wifidesa.admin.scope import Scope, require_oversight, require_site, site_filter
from wifidesa.db.models import Profile, Region, Router, Site
from wifidesa.places.routers import hotspot_url, require_router


@dataclass(frozen=True)
class RouterRow:
    id: int
    site_id: int
    site_code: str
    name: str
    ip_address: str
    nas_identifier: str
    hotspot_address: str | None
    hotspot_https: bool
    hotspot_port: int | None
    hotspot_login: str | None  # the page the portal hands clients back to
    coa_port: int
    require_message_authenticator: bool
    last_seen_at: datetime | None  # the last accounting heard from it
    is_active: bool


@dataclass(frozen=True)
class SiteRow:
    id: int
    code: str
    name: str
    region_code: str  # the desa's Kemendagri code
    timezone: str
    allow_voucher: bool
    allow_member: bool
    allow_free: bool
    free_profile_id: int | None
    free_profile: str | None
    is_active: bool
    routers: tuple[RouterRow, ...]


def _router_rows(session: Session, where: ColumnElement[bool]) -> list[RouterRow]:
    query = (
        select(Router, Site.code.label("site_code"))
        .join(Site, Site.id == Router.site_id)
        .where(where)
        .order_by(Router.name)
    )
    return [
        RouterRow(
            id=row.Router.id,
            site_id=row.Router.site_id,
            site_code=row.site_code,
            name=row.Router.name,
            ip_address=row.Router.ip_address,
            nas_identifier=row.Router.nas_identifier,
            hotspot_address=row.Router.hotspot_address,
            hotspot_https=row.Router.hotspot_https,
            hotspot_port=row.Router.hotspot_port,
            hotspot_login=hotspot_url(row.Router),
            coa_port=row.Router.coa_port,
            require_message_authenticator=row.Router.require_message_authenticator,
            last_seen_at=row.Router.last_seen_at,
            is_active=row.Router.is_active,
        )
        for row in session.execute(query)
    ]


def _site_rows(session: Session, sites: list[Site]) -> list[SiteRow]:
    ids = [s.id for s in sites]
    routers: dict[int, list[RouterRow]] = {i: [] for i in ids}
    for router in _router_rows(session, Router.site_id.in_(ids)):
        routers[router.site_id].append(router)
    region_query = select(Region.id, Region.code).where(Region.id.in_({s.region_id for s in sites}))
    regions = {row.id: row.code for row in session.execute(region_query)}
    profile_ids = {s.free_profile_id for s in sites if s.free_profile_id is not None}
    profile_query = select(Profile.id, Profile.name).where(Profile.id.in_(profile_ids))
    profiles = {row.id: row.name for row in session.execute(profile_query)}
    return [
        SiteRow(
            id=s.id,
            code=s.code,
            name=s.name,
            region_code=regions[s.region_id],
            timezone=s.timezone,
            allow_voucher=s.allow_voucher,
            allow_member=s.allow_member,
            allow_free=s.allow_free,
            free_profile_id=s.free_profile_id,
            free_profile=profiles.get(s.free_profile_id) if s.free_profile_id else None,
            is_active=s.is_active,
            routers=tuple(routers[s.id]),
        )
        for s in sites
    ]


def list_sites(*, session: Session, scope: Scope, limit: int = 2000) -> list[SiteRow]:
    """The sites in the scope, by code, each with its routers."""
    require_oversight(scope)
    sites = list(
        session.scalars(
            select(Site).where(site_filter(scope, Site.id)).order_by(Site.code).limit(limit)
        )
    )
    return _site_rows(session, sites)


def get_site(*, session: Session, scope: Scope, site_id: int) -> SiteRow:
    require_oversight(scope)
    site = require_site(session=session, scope=scope, site_id=site_id)
    return _site_rows(session, [site])[0]


def list_routers(*, session: Session, scope: Scope, site_id: int | None = None) -> list[RouterRow]:
    """The routers in the scope (of one village if given), by name."""
    require_oversight(scope)
    where = site_filter(scope, Router.site_id)
    if site_id is not None:
        require_site(session=session, scope=scope, site_id=site_id)
        where = where & (Router.site_id == site_id)
    return _router_rows(session, where)


def get_router(*, session: Session, scope: Scope, router_id: int) -> RouterRow:
    router = require_router(session=session, scope=scope, router_id=router_id)
    return _router_rows(session, Router.id == router.id)[0]
