"""Importing vouchers printed by an earlier system (code, optional PIN): all rows or none."""

from __future__ import annotations

import csv
import io
import re
from typing import NamedTuple

from sqlalchemy import insert
from sqlalchemy.orm import Session

from wifidesa.admin import audit
from wifidesa.admin.scope import Scope
from wifidesa.db.bulk import refresh_statistics
from wifidesa.db.models import Account, AccountKind, Voucher, VoucherBatch
from wifidesa.errors import ErrorCode, InvalidInput, RowsRejected, line_problem
from wifidesa.errors import error_message as _msg
from wifidesa.messages import Message
from wifidesa.usernames import normalize_code
from wifidesa.vouchers.codes import BULK, MAX_BATCH, existing_codes
from wifidesa.vouchers.stock import check_target

_CODE = re.compile(r"^[A-Z0-9]{4,32}$")
MAX_PASSWORD = 64


class VoucherRow(NamedTuple):
    line: int
    code: str  # normalised
    password: str | None


def parse_voucher_csv(text: str) -> list[VoucherRow]:
    """One row per voucher of the file; raises with every bad line.

    The problems name the line, never the code: errors get logged, and a voucher code is a
    bearer secret."""
    reader = csv.reader(io.StringIO(text))
    header = [h.strip().lower() for h in next(reader, [])]
    if not header or header[0] != "code" or header[1:] not in ([], ["password"]):
        raise InvalidInput(ErrorCode.LINE_PROBLEM, line=1, reason=_msg(ErrorCode.VOUCHER_HEADER))
    rows: list[VoucherRow] = []
    problems: list[Message] = []
    seen: dict[str, int] = {}
    for fields in reader:
        line = reader.line_num
        if not any(f.strip() for f in fields):
            continue
        if len(fields) != len(header):
            problems.append(line_problem(line, _msg(ErrorCode.VOUCHER_FIELDS, found=len(fields))))
            continue
        record = dict(zip(header, fields, strict=True))
        code = normalize_code(record["code"])
        password = record.get("password", "").strip() or None
        if not _CODE.match(code):
            problems.append(line_problem(line, _msg(ErrorCode.BAD_VOUCHER_CODE)))
        elif code in seen:
            problems.append(line_problem(line, _msg(ErrorCode.DUPLICATE_VOUCHER, other=seen[code])))
        elif password is not None and len(password) > MAX_PASSWORD:
            problems.append(
                line_problem(line, _msg(ErrorCode.PASSWORD_TOO_LONG, maximum=MAX_PASSWORD))
            )
        else:
            seen[code] = line
            rows.append(VoucherRow(line=line, code=code, password=password))
    if problems:
        raise RowsRejected("vouchers", problems)
    return rows


def import_vouchers(
    *,
    session: Session,
    scope: Scope,
    site_id: int,
    profile_id: int,
    text: str,
    source: str = "CSV",
) -> VoucherBatch:
    """Create one batch holding every voucher of the file, or nothing if a row is bad; the
    village and profile are checked as for generated cards (`stock.check_target`)."""
    rows = parse_voucher_csv(text)
    if not rows:
        raise InvalidInput(ErrorCode.NO_VOUCHERS_TO_IMPORT, source=source)
    if len(rows) > MAX_BATCH:
        raise InvalidInput(ErrorCode.TOO_MANY_VOUCHERS, source=source, maximum=MAX_BATCH)
    site, profile = check_target(
        session=session, scope=scope, site_id=site_id, profile_id=profile_id
    )
    taken = existing_codes(session, (row.code for row in rows))
    if taken:
        problems = [
            line_problem(row.line, _msg(ErrorCode.VOUCHER_EXISTS))
            for row in rows
            if row.code in taken
        ]
        raise RowsRejected(source, problems)
    batch = VoucherBatch(
        site_id=site.id,
        profile_id=profile.id,
        count=len(rows),
        note=f"imported from {source}"[:255],
        created_by_id=audit.who(scope)[0],
    )
    session.add(batch)
    session.flush()
    account_ids = list(
        session.scalars(
            insert(Account).returning(Account.id, sort_by_parameter_order=True),
            [
                {
                    "kind": AccountKind.VOUCHER,
                    "site_id": site.id,
                    "profile_id": profile.id,
                    "created_by_id": audit.who(scope)[0],
                }
                for _ in rows
            ],
        )
    )
    session.execute(
        insert(Voucher),
        [
            {"account_id": a, "code": row.code, "password": row.password, "batch_id": batch.id}
            for a, row in zip(account_ids, rows, strict=True)
        ],
    )
    if len(rows) >= BULK:
        refresh_statistics(session, "accounts", "vouchers")
    audit.record(
        session=session,
        action="vouchers.import",
        actor=scope,
        object_type="voucher_batch",
        object_id=batch.id,
        site_id=site.id,
        count=len(rows),
        profile=profile.name,
    )
    return batch
