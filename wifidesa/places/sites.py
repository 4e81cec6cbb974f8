"""Sites (village hotspots): add one, import many from CSV (all or nothing), list."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from wifidesa.admin import audit
from wifidesa.db.models import Region, RegionLevel, Site
from wifidesa.errors import AlreadyExists, InvalidInput, NotFound, RowsRejected
from wifidesa.places.regions import parent_codes
from wifidesa.settings import DEFAULT_TIMEZONE

REQUIRED_COLUMNS = ("desa_code", "desa_name", "kecamatan_name")
OPTIONAL_COLUMNS = ("site_code", "site_name", "timezone")
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


def _check_spec(spec: SiteSpec, session: Session) -> str | None:
    """The reason a spec cannot become a site, or None."""
    try:
        kabupaten_code, kecamatan_code = parent_codes(spec.desa_code)
    except InvalidInput as exc:
        return str(exc)
    if not spec.desa_name.strip():
        return "desa_name is empty"
    if not spec.kecamatan_name.strip():
        return "kecamatan_name is empty"
    if len(spec.name) > MAX_NAME or len(spec.kecamatan_name) > MAX_NAME:
        return f"a name is longer than {MAX_NAME} characters"
    if len(spec.code) > 32 or not spec.code.replace(".", "").replace("-", "").isalnum():
        return f"site code {spec.code!r} must be up to 32 letters, digits, '.' or '-'"
    try:
        ZoneInfo(spec.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return f"unknown time zone {spec.timezone!r}"
    kabupaten = session.scalar(select(Region).where(Region.code == kabupaten_code))
    if kabupaten is None or kabupaten.level != RegionLevel.KABUPATEN:
        return f"unknown kabupaten/kota {kabupaten_code} (run 'wifidesa init' first?)"
    kecamatan = session.scalar(select(Region).where(Region.code == kecamatan_code))
    if kecamatan is not None and kecamatan.name.casefold() != spec.kecamatan_name.casefold():
        return (
            f"kecamatan {kecamatan_code} is named {kecamatan.name!r} already, "
            f"not {spec.kecamatan_name!r}"
        )
    desa = session.scalar(select(Region).where(Region.code == spec.desa_code))
    if desa is not None and desa.name.casefold() != spec.desa_name.casefold():
        return f"desa {spec.desa_code} is named {desa.name!r} already, not {spec.desa_name!r}"
    if session.scalar(select(Site.id).where(Site.code == spec.code)) is not None:
        return f"site {spec.code!r} exists already"
    return None


def _region(session: Session, code: str, name: str, level: RegionLevel, parent: Region) -> Region:
    region = session.scalar(select(Region).where(Region.code == code))
    if region is None:
        region = Region(code=code, name=name.strip(), level=level, parent_id=parent.id)
        session.add(region)
        session.flush()
    return region


def _create(spec: SiteSpec, session: Session) -> Site:
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


def add_site(*, session: Session, spec: SiteSpec, actor: audit.Actor = audit.CLI_ACTOR) -> Site:
    """Create a site (and its kecamatan/desa regions if new)."""
    problem = _check_spec(spec, session)
    if problem:
        raise (AlreadyExists if "exists already" in problem else InvalidInput)(problem)
    site = _create(spec, session)
    audit.record(
        session=session,
        action="sites.add",
        actor=actor,
        object_type="site",
        object_id=site.code,
        site_id=site.id,
    )
    return site


def _sniff_dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    # Spreadsheets set to Indonesian locale save CSV with ';' between fields.
    first_line = text.split("\n", 1)[0]
    return csv.excel if first_line.count(",") >= first_line.count(";") else _Semicolon


class _Semicolon(csv.excel):
    delimiter = ";"


def parse_sites_csv(text: str) -> list[tuple[int, SiteSpec | str]]:
    """Rows of a sites CSV as (line number, spec or reason it is malformed)."""
    reader = csv.DictReader(io.StringIO(text), dialect=_sniff_dialect(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise InvalidInput(
            f"line 1: missing column(s) {', '.join(missing)}; expected "
            f"{','.join(REQUIRED_COLUMNS)}[,{','.join(OPTIONAL_COLUMNS)}]"
        )
    unknown = [h for h in header if h not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    if unknown:
        raise InvalidInput(f"line 1: unknown column(s) {', '.join(unknown)}")
    reader.fieldnames = header
    rows: list[tuple[int, SiteSpec | str]] = []
    for row in reader:
        line = reader.line_num
        if None in row or any(v is None for v in row.values()):
            rows.append((line, f"expected {len(header)} fields"))
            continue
        values = {k: (v or "").strip() for k, v in row.items()}
        if not any(values.values()):
            continue  # blank line
        rows.append(
            (
                line,
                SiteSpec(
                    desa_code=values["desa_code"],
                    desa_name=values["desa_name"],
                    kecamatan_name=values["kecamatan_name"],
                    site_code=values.get("site_code", ""),
                    site_name=values.get("site_name", ""),
                    timezone=values.get("timezone") or DEFAULT_TIMEZONE,
                ),
            )
        )
    return rows


def import_sites(*, session: Session, text: str, source: str = "CSV") -> list[Site]:
    """Import every row or none: all rows are checked first, every problem is reported."""
    rows = parse_sites_csv(text)
    problems: list[str] = []
    seen: dict[str, int] = {}
    seen_desa: dict[str, tuple[int, str]] = {}
    for line, spec in rows:
        if isinstance(spec, str):
            problems.append(f"line {line}: {spec}")
            continue
        if spec.code in seen:
            problems.append(f"line {line}: site {spec.code!r} also on line {seen[spec.code]}")
            continue
        earlier = seen_desa.get(spec.desa_code)
        if earlier and earlier[1].casefold() != spec.desa_name.casefold():
            problems.append(
                f"line {line}: desa {spec.desa_code} is named {earlier[1]!r} on line {earlier[0]}"
            )
            continue
        seen[spec.code] = line
        seen_desa.setdefault(spec.desa_code, (line, spec.desa_name))
        problem = _check_spec(spec, session)
        if problem:
            problems.append(f"line {line}: {problem}")
    if problems:
        raise RowsRejected(source, problems)
    if not rows:
        raise InvalidInput(f"{source}: no rows to import")
    sites = [_create(spec, session) for _, spec in rows if isinstance(spec, SiteSpec)]
    audit.record(
        session=session, action="sites.import", object_type="site", count=len(sites), source=source
    )
    return sites


def read_csv_file(path: Path) -> str:
    """Text of a CSV file, accepting the UTF-8 BOM that spreadsheets write."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise NotFound(f"no such file: {path}") from None
    except UnicodeDecodeError:
        raise InvalidInput(f"{path}: not UTF-8 text; save the CSV as UTF-8") from None
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot read ({exc.strerror})") from None


def get_site(*, session: Session, code: str) -> Site:
    site = session.scalar(select(Site).where(Site.code == code))
    if site is None:
        raise NotFound(f"no site with code {code!r}")
    return site


def list_sites(*, session: Session) -> list[Site]:
    return list(session.scalars(select(Site).order_by(Site.code)))


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


def set_logo(*, session: Session, code: str, data: bytes | None) -> Site:
    """Set (or with None remove) a site's portal logo: PNG, JPEG, GIF or WebP, at most 10 KB.

    SVG is refused: it can carry script, and the portal serves the logo from its own origin.
    """
    site = get_site(session=session, code=code)
    if data is None:
        site.logo, site.logo_type = None, None
    else:
        kind = _image_type(data)
        if kind is None:
            raise InvalidInput("the logo must be a PNG, JPEG, GIF or WebP image")
        if len(data) > MAX_LOGO_BYTES:
            raise InvalidInput(
                f"the logo has {len(data)} bytes; at most {MAX_LOGO_BYTES} keep the login page "
                "small for satellite villages"
            )
        site.logo, site.logo_type = data, kind
    audit.record(
        session=session,
        action="sites.logo",
        object_type="site",
        object_id=site.code,
        site_id=site.id,
        removed=data is None,
    )
    return site
