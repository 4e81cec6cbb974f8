"""The areas statistics are shown for, as far as an admin's scope reaches: the province, a
kabupaten/kota, a kecamatan, a desa (Kemendagri codes, each a prefix of the next: 64, 64.03,
64.03.01, 64.03.01.2001) or one site. An admin may open an area only if their scope covers
all of it — a kabupaten admin never sees a province figure made of their kabupaten alone."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from wifidesa.admin.scope import Scope, site_filter
from wifidesa.db.models import AdminRole, Region, Site
from wifidesa.errors import ErrorCode, NotFound


class AreaKind(StrEnum):
    EVERYTHING = "everything"  # all the scope reaches (a desa admin's villages)
    REGION = "region"
    SITE = "site"


@dataclass(frozen=True)
class Area:
    kind: AreaKind
    code: str  # a region's or a site's code; "" for EVERYTHING
    name: str
    level: str  # province, kabupaten, kecamatan, desa, site, or everything

    @property
    def key(self) -> str:
        """How a page names the area in its address (?area=...)."""
        return "" if self.kind is AreaKind.EVERYTHING else f"{self.kind[0]}:{self.code}"


@dataclass(frozen=True)
class SiteInArea:
    id: int
    code: str
    name: str
    region_code: str
    zone: str


@dataclass(frozen=True)
class AreaView:
    """An area with what lies under it: its sites, its children (the next level down, each
    with its sites) and the way back up (breadcrumbs, the scope's top first)."""

    area: Area
    sites: list[SiteInArea]
    children: list[tuple[Area, list[SiteInArea]]]
    trail: list[Area]

    @property
    def site_ids(self) -> list[int]:
        return [site.id for site in self.sites]


def _region_area(region: Region) -> Area:
    return Area(AreaKind.REGION, region.code, region.name, region.level.value)


def site_area(site: SiteInArea) -> Area:
    return Area(AreaKind.SITE, site.code, site.name, "site")


def _visible_sites(session: Session, scope: Scope) -> list[SiteInArea]:
    query = (
        select(Site.id, Site.code, Site.name, Site.timezone, Region.code.label("region_code"))
        .join(Region, Region.id == Site.region_id)
        .where(site_filter(scope, Site.id))
        .order_by(Site.name, Site.code)
    )
    return [
        SiteInArea(row.id, row.code, row.name, row.region_code, row.timezone)
        for row in session.execute(query)
    ]


def _under(region_code: str, code: str) -> bool:
    return region_code == code or region_code.startswith(f"{code}.")


def _top(session: Session, scope: Scope) -> Area:
    """Where the scope's statistics start."""
    if scope.role is AdminRole.KABUPATEN and scope.region_code:
        region = session.scalar(select(Region).where(Region.code == scope.region_code))
        if region is not None:
            return _region_area(region)
    if scope.everything:
        provinces = list(session.scalars(select(Region).where(Region.parent_id.is_(None))))
        if len(provinces) == 1:
            return _region_area(provinces[0])
    return Area(AreaKind.EVERYTHING, "", "", "everything")


def _reaches(scope: Scope, top: Area, code: str) -> bool:
    if top.kind is AreaKind.EVERYTHING:
        return scope.everything
    return _under(code, top.code)


def open_area(*, session: Session, scope: Scope, key: str = "") -> AreaView:
    """The area a page asks for by its key ("" for the top of the scope); NotFound for an area
    outside the scope or one that does not exist, alike."""
    top = _top(session, scope)
    sites = _visible_sites(session, scope)
    kind, _, code = key.partition(":")
    if not key:
        area = top
    elif kind == "s":
        found = next((site for site in sites if site.code == code), None)
        if found is None:
            raise NotFound(ErrorCode.AREA_NOT_FOUND, code=code[:40])
        trail = _trail(session, scope, top, found.region_code)
        return AreaView(site_area(found), [found], [], trail)
    elif kind == "r" and _reaches(scope, top, code):
        region = session.scalar(select(Region).where(Region.code == code))
        if region is None:
            raise NotFound(ErrorCode.AREA_NOT_FOUND, code=code[:40])
        area = _region_area(region)
    else:
        raise NotFound(ErrorCode.AREA_NOT_FOUND, code=code[:40])
    inside = (
        sites
        if area.kind is AreaKind.EVERYTHING
        else [site for site in sites if _under(site.region_code, area.code)]
    )
    trail = [] if area == top else _trail(session, scope, top, area.code)[:-1]
    return AreaView(area, inside, _children(session, area, inside), trail)


def _children(
    session: Session, area: Area, sites: list[SiteInArea]
) -> list[tuple[Area, list[SiteInArea]]]:
    """The next level down: regions one code segment longer, or the sites themselves where a
    site hangs directly under the area (a desa's sites; a desa admin's villages)."""
    depth = 0 if area.kind is AreaKind.EVERYTHING else area.code.count(".") + 1
    groups: dict[str, list[SiteInArea]] = {}
    direct: list[SiteInArea] = []
    for site in sites:
        parts = site.region_code.split(".")
        if area.kind is AreaKind.EVERYTHING and not _single_province(sites):
            groups.setdefault(parts[0], []).append(site)
        elif area.kind is AreaKind.EVERYTHING or len(parts) <= depth:
            direct.append(site)
        else:
            groups.setdefault(".".join(parts[: depth + 1]), []).append(site)
    regions = {
        region.code: region
        for region in session.scalars(select(Region).where(Region.code.in_(list(groups))))
    }
    children = [
        (_region_area(regions[code]), members)
        for code, members in groups.items()
        if code in regions
    ]
    children.sort(key=lambda child: (child[0].name, child[0].code))
    return children + [(site_area(site), [site]) for site in direct]


def _single_province(sites: list[SiteInArea]) -> bool:
    return len({site.region_code.split(".")[0] for site in sites}) <= 1


def _trail(session: Session, scope: Scope, top: Area, code: str) -> list[Area]:
    """The areas from the scope's top down to the region `code` (included); a desa admin's
    top has no regions under it to open."""
    if top.kind is AreaKind.EVERYTHING and not scope.everything:
        return [top]
    parts = code.split(".")
    codes = [".".join(parts[: n + 1]) for n in range(len(parts))]
    if top.kind is AreaKind.REGION:
        codes = [c for c in codes if _under(c, top.code)]
    regions = {r.code: r for r in session.scalars(select(Region).where(Region.code.in_(codes)))}
    trail = [top] if top.kind is AreaKind.EVERYTHING else []
    return trail + [_region_area(regions[c]) for c in codes if c in regions]
