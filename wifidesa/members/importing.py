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

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from wifidesa.admin import audit
from wifidesa.admin.scope import Scope, profile_filter, require_site
from wifidesa.db.models import Account, AccountKind, Member, Profile
from wifidesa.errors import ErrorCode, InvalidInput, RowsRejected, error_message, line_problem
from wifidesa.members.residents import check_contact, member_username
from wifidesa.messages import Message
from wifidesa.passwords import check_password_strength, hash_password
from wifidesa.profiles.operations import get_usable_profile

REQUIRED_COLUMNS = ("username", "password")
OPTIONAL_COLUMNS = ("full_name", "phone", "profile")
MAX_ROWS = 200  # each password is hashed with argon2 (~0.15 s), deliberately slow


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


def parse_members_csv(text: str) -> list[tuple[int, dict[str, str] | Message]]:
    """Rows as (line number, values by column, or the reason the row is malformed)."""
    text = text.lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    dialect = csv.excel if first.count(",") >= first.count(";") else _Semicolon
    reader = csv.reader(io.StringIO(text), dialect=dialect)
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unknown = [h for h in header if h not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    if missing or unknown or len(set(header)) != len(header):
        raise InvalidInput(
            ErrorCode.LINE_PROBLEM, line=1, reason=error_message(ErrorCode.MEMBERS_HEADER)
        )
    rows: list[tuple[int, dict[str, str] | Message]] = []
    for fields in reader:
        line = reader.line_num
        if not any(f.strip() for f in fields):
            continue
        if len(fields) != len(header):
            found = error_message(ErrorCode.FIELD_COUNT, expected=len(header), found=len(fields))
            rows.append((line, found))
            continue
        rows.append((line, {k: v.strip() for k, v in zip(header, fields, strict=True)}))
    return rows


def _check_row(line: int, values: dict[str, str]) -> MemberRowSpec | Message:
    """A row's values checked on their own (the database is asked later, for all rows)."""
    try:
        username = member_username(values["username"])
        check_password_strength(values["password"])
        full_name, phone = check_contact(values.get("full_name", ""), values.get("phone"))
    except InvalidInput as exc:
        return exc.message
    return MemberRowSpec(
        line, username, values["password"], full_name, phone, values.get("profile", "")
    )


def _checked_rows(text: str) -> tuple[list[MemberRowSpec], list[tuple[int, Message]]]:
    """The rows that are well-formed, and (line, reason) for the others."""
    rows = parse_members_csv(text)
    if not rows:
        raise InvalidInput(ErrorCode.NO_RESIDENTS_IN_FILE)
    if len(rows) > MAX_ROWS:
        raise InvalidInput(ErrorCode.TOO_MANY_RESIDENTS, maximum=MAX_ROWS)
    specs: list[MemberRowSpec] = []
    problems: list[tuple[int, Message]] = []
    seen: dict[str, int] = {}
    for line, values in rows:
        checked = values if isinstance(values, Message) else _check_row(line, values)
        if isinstance(checked, Message):
            problems.append((line, checked))
        elif checked.username in seen:
            again = error_message(
                ErrorCode.USERNAME_ALSO_ON_LINE,
                username=checked.username,
                other=seen[checked.username],
            )
            problems.append((line, again))
        else:
            seen[checked.username] = line
            specs.append(checked)
    return specs, problems


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
    specs, problems = _checked_rows(text)
    # Hash every password before the transaction touches the database: argon2 takes ~0.15 s
    # each, and an SQLite transaction that read, then waited, then writes may find that
    # RADIUS accounting wrote meanwhile, and fail.
    hashes = {spec.username: hash_password(spec.password) for spec in specs}
    site = require_site(session=session, scope=scope, site_id=site_id)
    default = None
    if profile_id is not None:
        default = get_usable_profile(session=session, scope=scope, profile_id=profile_id)
    usable = session.execute(select(Profile.name, Profile.id).where(profile_filter(scope))).all()
    profiles = {name.casefold(): pid for name, pid in usable}
    taken = set(session.scalars(select(Member.username).where(Member.username.in_(hashes))))
    chosen: dict[str, int] = {}
    for spec in specs:
        if spec.username in taken:
            taken_here = error_message(ErrorCode.USERNAME_EXISTS, username=spec.username)
            problems.append((spec.line, taken_here))
        elif spec.profile and spec.profile.casefold() in profiles:
            chosen[spec.username] = profiles[spec.profile.casefold()]
        elif spec.profile:
            unknown = error_message(ErrorCode.PROFILE_NOT_FOUND, name=spec.profile)
            problems.append((spec.line, unknown))
        elif default is not None:
            chosen[spec.username] = default.id
        else:
            problems.append((spec.line, error_message(ErrorCode.NO_PROFILE_FOR_ROW)))
    if problems:
        ordered = sorted(problems, key=lambda problem: problem[0])
        raise RowsRejected(source, [line_problem(line, reason) for line, reason in ordered])
    account_ids = list(
        session.scalars(
            insert(Account).returning(Account.id, sort_by_parameter_order=True),
            [
                {
                    "kind": AccountKind.MEMBER,
                    "site_id": site.id,
                    "profile_id": chosen[spec.username],
                    "created_by_id": audit.who(scope)[0],
                }
                for spec in specs
            ],
        )
    )
    session.execute(
        insert(Member),
        [
            {
                "account_id": account_id,
                "username": spec.username,
                "password_hash": hashes[spec.username],
                "full_name": spec.full_name,
                "phone": spec.phone,
            }
            for account_id, spec in zip(account_ids, specs, strict=True)
        ],
    )
    members = list(
        session.scalars(
            select(Member).where(Member.account_id.in_(account_ids)).order_by(Member.account_id)
        )
    )
    audit.record(
        session=session,
        action="members.import",
        actor=scope,
        object_type="site",
        object_id=site.code,
        site_id=site.id,
        count=len(members),
        source=source[:64],
        usernames=[m.username for m in members],
    )
    return members
