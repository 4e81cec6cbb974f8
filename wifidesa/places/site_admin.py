"""Sites and routers as province and kabupaten admins manage them.

Desa admins do not manage sites or routers (Forbidden). Kabupaten admins reach only their
kabupaten's villages, and may add a village only under their own kabupaten's code. A router's
RADIUS secret is returned once, when it is made; it is stored encrypted and never shown,
logged or written to the audit log afterwards.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from wifidesa.admin import audit
from wifidesa.admin.scope import (
    Forbidden,
    Scope,
    profile_filter,
    require_oversight,
    require_site,
    site_filter,
)
from wifidesa.crypto import SecretBox, generate_secret
from wifidesa.db.models import AdminRole, Profile, Region, Router, Site
from wifidesa.errors import InvalidInput, NotFound
from wifidesa.places.hotspot_files import render_hotspot_files
from wifidesa.places.routers import RouterSpec, add_router
from wifidesa.places.sites import SiteSpec, add_site


@dataclass(frozen=True)
class RouterRow:
    id: int
    site_id: int
    name: str
    ip_address: str
    nas_identifier: str
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


@dataclass(frozen=True)
class SiteOptions:
    allow_voucher: bool
    allow_member: bool
    allow_free: bool
    free_profile_id: int | None


@dataclass(frozen=True)
class NewRouter:
    """What a person types to add a router; the secret is always generated."""

    name: str
    ip_address: str
    nas_identifier: str = ""
    coa_port: int = 3799
    require_message_authenticator: bool = True


def _router_row(router: Router) -> RouterRow:
    return RouterRow(
        id=router.id,
        site_id=router.site_id,
        name=router.name,
        ip_address=router.ip_address,
        nas_identifier=router.nas_identifier,
        coa_port=router.coa_port,
        require_message_authenticator=router.require_message_authenticator,
        last_seen_at=router.last_seen_at,
        is_active=router.is_active,
    )


def _site_rows(session: Session, sites: list[Site]) -> list[SiteRow]:
    ids = [s.id for s in sites]
    routers: dict[int, list[RouterRow]] = {i: [] for i in ids}
    for router in session.scalars(
        select(Router).where(Router.site_id.in_(ids)).order_by(Router.name)
    ):
        routers[router.site_id].append(_router_row(router))
    region_query = select(Region.id, Region.code).where(Region.id.in_({s.region_id for s in sites}))
    regions: dict[int, str] = dict(session.execute(region_query).all())
    profile_ids = {s.free_profile_id for s in sites if s.free_profile_id is not None}
    profile_query = select(Profile.id, Profile.name).where(Profile.id.in_(profile_ids))
    profiles: dict[int, str] = dict(session.execute(profile_query).all())
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


def create_site(*, session: Session, scope: Scope, spec: SiteSpec) -> Site:
    """Add a village; a kabupaten admin only under their own kabupaten's code."""
    require_oversight(scope)
    if scope.role is AdminRole.KABUPATEN and not spec.desa_code.startswith(f"{scope.region_code}."):
        raise Forbidden(f"a kabupaten admin adds villages only under {scope.region_code}")
    return add_site(session=session, spec=spec, actor=scope)


def _kabupaten_id(session: Session, site: Site) -> int | None:
    # A desa code is PP.KK.CC.DDDD; its kabupaten is the first five characters.
    code = session.scalars(select(Region.code).where(Region.id == site.region_id)).one()
    return session.scalar(select(Region.id).where(Region.code == code[:5]))


def set_options(*, session: Session, scope: Scope, site_id: int, options: SiteOptions) -> Site:
    """Which logins the village's portal offers, and the profile of free access."""
    require_oversight(scope)
    site = require_site(session=session, scope=scope, site_id=site_id)
    if options.free_profile_id is not None:
        # A profile the admin may use, and one meant for this village's kabupaten.
        usable = session.scalar(
            select(Profile.id).where(
                Profile.id == options.free_profile_id,
                profile_filter(scope),
                Profile.region_id.is_(None) | (Profile.region_id == _kabupaten_id(session, site)),
            )
        )
        if usable is None:
            raise InvalidInput("this profile cannot be used in this village")
    if options.allow_free and options.free_profile_id is None:
        raise InvalidInput("free access needs a profile")
    site.allow_voucher = options.allow_voucher
    site.allow_member = options.allow_member
    site.allow_free = options.allow_free
    site.free_profile_id = options.free_profile_id
    audit.record(
        session=session,
        action="sites.options",
        actor=scope,
        object_type="site",
        object_id=site.code,
        site_id=site.id,
        allow_voucher=options.allow_voucher,
        allow_member=options.allow_member,
        allow_free=options.allow_free,
        free_profile_id=options.free_profile_id,
    )
    return site


def usable_profiles(*, session: Session, scope: Scope, site_id: int) -> list[tuple[int, str]]:
    """(id, name) of the profiles that may serve free access in this village."""
    require_oversight(scope)
    site = require_site(session=session, scope=scope, site_id=site_id)
    query = (
        select(Profile.id, Profile.name)
        .where(
            profile_filter(scope),
            Profile.region_id.is_(None) | (Profile.region_id == _kabupaten_id(session, site)),
        )
        .order_by(Profile.name)
    )
    return [(i, n) for i, n in session.execute(query)]


def create_router(
    *, session: Session, scope: Scope, box: SecretBox, site_id: int, new: NewRouter
) -> tuple[RouterRow, str]:
    """Register a router for a village; returns it with its generated RADIUS secret (once)."""
    require_oversight(scope)
    site = require_site(session=session, scope=scope, site_id=site_id)
    spec = RouterSpec(
        site_code=site.code,
        name=new.name,
        ip_address=new.ip_address,
        nas_identifier=new.nas_identifier,
        coa_port=new.coa_port,
        require_message_authenticator=new.require_message_authenticator,
    )
    router, secret = add_router(session=session, box=box, spec=spec, actor=scope)
    return _router_row(router), secret


def require_router(*, session: Session, scope: Scope, router_id: int) -> Router:
    """The router if its village is in the scope; NotFound otherwise."""
    require_oversight(scope)
    router = session.scalar(
        select(Router).where(Router.id == router_id, site_filter(scope, Router.site_id))
    )
    if router is None:
        raise NotFound(f"router {router_id} not found")
    return router


def get_router(*, session: Session, scope: Scope, router_id: int) -> RouterRow:
    return _router_row(require_router(session=session, scope=scope, router_id=router_id))


def new_secret(*, session: Session, scope: Scope, box: SecretBox, router_id: int) -> str:
    """Replace a router's RADIUS secret with a generated one; returned once, never stored
    in clear. The RADIUS service picks it up at its next router reload (within seconds)."""
    router = require_router(session=session, scope=scope, router_id=router_id)
    secret = generate_secret()
    router.secret_enc = box.encrypt(secret)
    audit.record(
        session=session,
        action="routers.secret",
        actor=scope,
        object_type="router",
        object_id=router.name,
        site_id=router.site_id,
    )
    return secret


def hotspot_zip(
    *, session: Session, scope: Scope, router_id: int, portal_url: str
) -> tuple[str, bytes]:
    """(file name, zip) of the router's hotspot html files, for its hotspot directory."""
    router = require_router(session=session, scope=scope, router_id=router_id)
    files = render_hotspot_files(router_name=router.name, portal_url=portal_url)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(f"hotspot/{name}", content)
    return f"hotspot-{router.name}.zip", buffer.getvalue()
