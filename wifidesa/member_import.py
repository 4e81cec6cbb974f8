"""Importing residents from a CSV file into one village: every row or none.

Columns: username, password (required), full_name, phone, profile (optional; the profile
chosen in the form applies where the column is missing or empty). Spreadsheets in the
Indonesian locale separate fields with ';' and often start the file with a UTF-8 BOM: both are
accepted. Every bad row is reported as "line N: reason", and nothing is stored.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from wifidesa import audit
from wifidesa.errors import InvalidInput, RowsRejected
from wifidesa.member_admin import check_contact, usable_profile
from wifidesa.members import add_member, member_username
from wifidesa.models import Member, Profile
from wifidesa.passwords import check_password_strength
from wifidesa.scope import Scope, profile_filter, require_site

REQUIRED_COLUMNS = ("username", "password")
OPTIONAL_COLUMNS = ("full_name", "phone", "profile")
MAX_ROWS = 500  # each password is hashed with argon2, deliberately slow


@dataclass(frozen=True)
class MemberRowSpec:
    line: int
    username: str
    password: str
    full_name: str
    phone: str | None
    profile: str


class _Semicolon(csv.excel):
    delimiter = ";"


def parse_members_csv(text: str) -> list[tuple[int, dict[str, str] | str]]:
    """Rows as (line number, values by column, or the reason the row is malformed)."""
    text = text.lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    dialect = csv.excel if first.count(",") >= first.count(";") else _Semicolon
    reader = csv.reader(io.StringIO(text), dialect=dialect)
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise InvalidInput(
            "line 1: the header must name the columns username,password[,full_name,phone,profile]"
        )
    unknown = [h for h in header if h not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    if unknown or len(set(header)) != len(header):
        raise InvalidInput(
            "line 1: the header must name the columns username,password[,full_name,phone,profile]"
        )
    rows: list[tuple[int, dict[str, str] | str]] = []
    for fields in reader:
        line = reader.line_num
        if not any(f.strip() for f in fields):
            continue
        if len(fields) != len(header):
            rows.append((line, f"expected {len(header)} fields, found {len(fields)}"))
            continue
        rows.append((line, {k: v.strip() for k, v in zip(header, fields, strict=True)}))
    return rows


def _check_row(
    line: int, values: dict[str, str], profiles: dict[str, str], default_profile: str
) -> MemberRowSpec | str:
    try:
        username = member_username(values["username"])
        check_password_strength(values["password"])
        full_name, phone = check_contact(values.get("full_name", ""), values.get("phone"))
    except InvalidInput as exc:
        return str(exc)
    profile = values.get("profile") or default_profile
    if not profile:
        return "no profile: choose one in the form or fill the profile column"
    if profile.casefold() not in profiles:
        return f"profile {profile!r} not found"
    return MemberRowSpec(
        line, username, values["password"], full_name, phone, profiles[profile.casefold()]
    )


def import_members(
    *,
    session: Session,
    scope: Scope,
    site_id: int,
    text: str,
    profile_id: int | None = None,
    source: str = "CSV",
) -> list[Member]:
    """Create every resident of the file in one village, or none if any row is bad."""
    site = require_site(session=session, scope=scope, site_id=site_id)
    default = ""
    if profile_id is not None:
        default = usable_profile(session=session, scope=scope, profile_id=profile_id).name
    rows = parse_members_csv(text)
    if not rows:
        raise InvalidInput("the file holds no residents")
    if len(rows) > MAX_ROWS:
        raise InvalidInput("at most 500 residents per import")
    names = session.scalars(select(Profile.name).where(profile_filter(scope))).all()
    profiles = {name.casefold(): name for name in names}
    problems: list[str] = []
    specs: list[MemberRowSpec] = []
    seen: dict[str, int] = {}
    for line, values in rows:
        checked = values if isinstance(values, str) else _check_row(line, values, profiles, default)
        if isinstance(checked, str):
            problems.append(f"line {line}: {checked}")
        elif checked.username in seen:
            problems.append(
                f"line {line}: username {checked.username!r} also on line {seen[checked.username]}"
            )
        else:
            seen[checked.username] = line
            specs.append(checked)
    taken = set(session.scalars(select(Member.username).where(Member.username.in_(list(seen)))))
    problems.extend(
        f"line {s.line}: username {s.username!r} exists already"
        for s in specs
        if s.username in taken
    )
    if problems:
        problems.sort(key=lambda p: int(p.split(":", 1)[0].removeprefix("line ")))
        raise RowsRejected(source, problems)
    members = [
        add_member(
            session=session,
            site_code=site.code,
            profile_name=spec.profile,
            username=spec.username,
            password=spec.password,
            full_name=spec.full_name,
            phone=spec.phone,
            actor=scope,
        )
        for spec in specs
    ]
    audit.record(
        session=session,
        action="members.import",
        actor=scope,
        object_type="site",
        object_id=site.code,
        site_id=site.id,
        count=len(members),
        source=source[:64],
    )
    return members
