"""Importing sites from a CSV file: every row or none, every bad row reported by its line."""

from __future__ import annotations

import csv
import io

from sqlalchemy.orm import Session

from wifidesa.admin import audit
from wifidesa.admin.scope import Forbidden, Scope, require_oversight
from wifidesa.db.models import Site
from wifidesa.errors import (
    ErrorCode,
    InvalidInput,
    RowsRejected,
    WifidesaError,
    error_message,
    line_problem,
)
from wifidesa.messages import Message
from wifidesa.places.sites import SiteSpec, build_site, check_reach, check_spec
from wifidesa.settings import DEFAULT_TIMEZONE

REQUIRED_COLUMNS = ("desa_code", "desa_name", "kecamatan_name")
OPTIONAL_COLUMNS = ("site_code", "site_name", "timezone")


class _Semicolon(csv.excel):
    delimiter = ";"


def _sniff_dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    # Spreadsheets set to Indonesian locale save CSV with ';' between fields.
    first_line = text.split("\n", 1)[0]
    return csv.excel if first_line.count(",") >= first_line.count(";") else _Semicolon


def parse_sites_csv(text: str) -> list[tuple[int, SiteSpec | Message]]:
    """Rows of a sites CSV as (line number, spec or reason it is malformed)."""
    reader = csv.DictReader(io.StringIO(text), dialect=_sniff_dialect(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise InvalidInput(
            ErrorCode.MISSING_COLUMNS,
            missing=", ".join(missing),
            expected=f"{','.join(REQUIRED_COLUMNS)}[,{','.join(OPTIONAL_COLUMNS)}]",
        )
    unknown = [h for h in header if h not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    if unknown:
        raise InvalidInput(ErrorCode.UNKNOWN_COLUMNS, unknown=", ".join(unknown))
    reader.fieldnames = header
    rows: list[tuple[int, SiteSpec | Message]] = []
    for row in reader:
        line = reader.line_num
        if None in row or any(v is None for v in row.values()):
            found = len([v for k, v in row.items() if k is not None and v is not None])
            found += len(row.get(None) or [])
            rows.append(
                (line, error_message(ErrorCode.FIELD_COUNT, expected=len(header), found=found))
            )
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


def _problem(session: Session, scope: Scope, spec: SiteSpec) -> WifidesaError | None:
    try:
        check_reach(scope, spec)
    except Forbidden as exc:
        return exc
    return check_spec(spec, session)


def import_sites(*, session: Session, scope: Scope, text: str, source: str = "CSV") -> list[Site]:
    """Import every row or none: all rows are checked first, every problem is reported."""
    require_oversight(scope)
    rows = parse_sites_csv(text)
    problems: list[Message] = []
    seen: dict[str, int] = {}
    seen_desa: dict[str, tuple[int, str]] = {}
    for line, spec in rows:
        if isinstance(spec, Message):
            problems.append(line_problem(line, spec))
            continue
        if spec.code in seen:
            again = error_message(
                ErrorCode.SITE_ALSO_ON_LINE, code=spec.code, other=seen[spec.code]
            )
            problems.append(line_problem(line, again))
            continue
        earlier = seen_desa.get(spec.desa_code)
        if earlier and earlier[1].casefold() != spec.desa_name.casefold():
            named = error_message(
                ErrorCode.DESA_NAMED_ON_LINE, code=spec.desa_code, name=earlier[1], other=earlier[0]
            )
            problems.append(line_problem(line, named))
            continue
        seen[spec.code] = line
        seen_desa.setdefault(spec.desa_code, (line, spec.desa_name))
        problem = _problem(session, scope, spec)
        if problem is not None:
            problems.append(line_problem(line, problem))
    if problems:
        raise RowsRejected(source, problems)
    if not rows:
        raise InvalidInput(ErrorCode.NO_ROWS_TO_IMPORT, source=source)
    sites = [build_site(spec, session) for _, spec in rows if isinstance(spec, SiteSpec)]
    audit.record(
        session=session,
        action="sites.import",
        actor=scope,
        object_type="site",
        count=len(sites),
        source=source,
    )
    return sites
