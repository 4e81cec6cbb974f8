"""Sites (village hotspots): add one, the logins its portal offers, its logo.

One function per operation, whoever calls it: the admin UI and the API with the signed-in
admin's scope, the CLI with OPERATOR. Desa admins do not manage sites (Forbidden); kabupaten
admins add villages only under their own kabupaten's code.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from wifidesa.admin import audit
from wifidesa.admin.scope import (
    Forbidden,
    Scope,
    profile_filter,
    require_oversight,
    require_site,
)
from wifidesa.db.models import AdminRole, Profile, Region, RegionLevel, Site
from wifidesa.errors import AlreadyExists, ErrorCode, InvalidInput
from wifidesa.places.regions import parent_codes
from wifidesa.settings import DEFAULT_TIMEZONE

MAX_NAME = 120


@dataclass(frozen=True)
class SiteSpec:
    """One site as given by a person or a CSV row, before it is checked."""

    desa_code: str
    desa_name: str
    kecamatan_name: str
    site_code: str = ""
    site_name: str = ""
    timezone: str = DEFAULT_TIMEZONE

    @property
    def code(self) -> str:
        return self.site_code or self.desa_code

    @property
    def name(self) -> str:
        return self.site_name or self.desa_name


@dataclass(frozen=True)
class SiteOptions:
    allow_voucher: bool
    allow_member: bool
    allow_free: bool
    free_profile_id: int | None


def check_reach(scope: Scope, spec: SiteSpec) -> None:
    """Whether this admin may add this village: oversight, and a kabupaten admin only under
    their own kabupaten's code."""
    require_oversight(scope)
    if scope.role is AdminRole.KABUPATEN and not spec.desa_code.startswith(f"{scope.region_code}."):
        raise Forbidden(ErrorCode.KABUPATEN_ADDS_UNDER, region=scope.region_code)


def check_spec(spec: SiteSpec, session: Session) -> InvalidInput | AlreadyExists | None:
    """What stops a spec from becoming a site (AlreadyExists for a taken code), or None."""
    try:
        kabupaten_code, kecamatan_code = parent_codes(spec.desa_code)
    except InvalidInput as exc:
        return exc
    if not spec.desa_name.strip():
        return InvalidInput(ErrorCode.DESA_NAME_EMPTY)
    if not spec.kecamatan_name.strip():
        return InvalidInput(ErrorCode.KECAMATAN_NAME_EMPTY)
    if len(spec.name) > MAX_NAME or len(spec.kecamatan_name) > MAX_NAME:
        return InvalidInput(ErrorCode.NAME_TOO_LONG, maximum=MAX_NAME)
    if len(spec.code) > 32 or not spec.code.replace(".", "").replace("-", "").isalnum():
        return InvalidInput(ErrorCode.BAD_SITE_CODE, code=spec.code)
    try:
        ZoneInfo(spec.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return InvalidInput(ErrorCode.UNKNOWN_TIME_ZONE, zone=spec.timezone)
    kabupaten = session.scalar(select(Region).where(Region.code == kabupaten_code))
    if kabupaten is None or kabupaten.level != RegionLevel.KABUPATEN:
        return InvalidInput(ErrorCode.UNKNOWN_KABUPATEN, code=kabupaten_code)
    kecamatan = session.scalar(select(Region).where(Region.code == kecamatan_code))
    if kecamatan is not None and kecamatan.name.casefold() != spec.kecamatan_name.casefold():
        return InvalidInput(
            ErrorCode.KECAMATAN_NAMED,
            code=kecamatan_code,
            name=kecamatan.name,
            given=spec.kecamatan_name,
        )
    desa = session.scalar(select(Region).where(Region.code == spec.desa_code))
    if desa is not None and desa.name.casefold() != spec.desa_name.casefold():
        return InvalidInput(
            ErrorCode.DESA_NAMED, code=spec.desa_code, name=desa.name, given=spec.desa_name
        )
    if session.scalar(select(Site.id).where(Site.code == spec.code)) is not None:
        return AlreadyExists(ErrorCode.SITE_EXISTS, code=spec.code)
    return None


def _region(session: Session, code: str, name: str, level: RegionLevel, parent: Region) -> Region:
    region = session.scalar(select(Region).where(Region.code == code))
    if region is None:
        region = Region(code=code, name=name.strip(), level=level, parent_id=parent.id)
        session.add(region)
        session.flush()
    return region


def build_site(spec: SiteSpec, session: Session) -> Site:
    """The site of a checked spec, with its kecamatan and desa regions if they are new."""
    kabupaten_code, kecamatan_code = parent_codes(spec.desa_code)
    kabupaten = session.scalars(select(Region).where(Region.code == kabupaten_code)).one()
    kecamatan = _region(
        session, kecamatan_code, spec.kecamatan_name, RegionLevel.KECAMATAN, kabupaten
    )
    desa = _region(session, spec.desa_code, spec.desa_name, RegionLevel.DESA, kecamatan)
    site = Site(code=spec.code, name=spec.name.strip(), region_id=desa.id, timezone=spec.timezone)
    session.add(site)
    session.flush()
    return site


def create_site(*, session: Session, scope: Scope, spec: SiteSpec) -> Site:
    """Add a village (and its kecamatan/desa regions if new)."""
    check_reach(scope, spec)
    problem = check_spec(spec, session)
    if problem is not None:
        raise problem
    site = build_site(spec, session)
    audit.record(
        session=session,
        action="sites.add",
        actor=scope,
        object_type="site",
        object_id=site.code,
        site_id=site.id,
    )
    return site


def kabupaten_id(session: Session, site: Site) -> int | None:
    """The id of the kabupaten/kota a site lies in."""
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
                Profile.region_id.is_(None) | (Profile.region_id == kabupaten_id(session, site)),
            )
        )
        if usable is None:
            raise InvalidInput(ErrorCode.PROFILE_NOT_FOR_SITE)
    if options.allow_free and options.free_profile_id is None:
        raise InvalidInput(ErrorCode.FREE_ACCESS_NEEDS_PROFILE)
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
            Profile.region_id.is_(None) | (Profile.region_id == kabupaten_id(session, site)),
        )
        .order_by(Profile.name)
    )
    return [(row.id, row.name) for row in session.execute(query)]


MAX_LOGO_BYTES = 10 * 1024  # the login page must stay under 20 KB on a satellite link
_IMAGE_TYPES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def _image_type(data: bytes) -> str | None:
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return next((kind for magic, kind in _IMAGE_TYPES if data.startswith(magic)), None)


def set_logo(*, session: Session, scope: Scope, site_id: int, data: bytes | None) -> Site:
    """Set (or with None remove) a site's portal logo: PNG, JPEG, GIF or WebP, at most 10 KB.

    SVG is refused: it can carry script, and the portal serves the logo from its own origin.
    """
    require_oversight(scope)
    site = require_site(session=session, scope=scope, site_id=site_id)
    if data is None:
        site.logo, site.logo_type = None, None
    else:
        kind = _image_type(data)
        if kind is None:
            raise InvalidInput(ErrorCode.BAD_LOGO)
        if len(data) > MAX_LOGO_BYTES:
            raise InvalidInput(ErrorCode.LOGO_TOO_LARGE, size=len(data), maximum=MAX_LOGO_BYTES)
        site.logo, site.logo_type = data, kind
    audit.record(
        session=session,
        action="sites.logo",
        actor=scope,
        object_type="site",
        object_id=site.code,
        site_id=site.id,
        removed=data is None,
    )
    return site
