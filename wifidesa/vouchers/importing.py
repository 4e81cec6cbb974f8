"""Importing vouchers printed by an earlier system (code, optional PIN): all rows or none."""

from __future__ import annotations

import csv
import io
import re

from sqlalchemy import insert
from sqlalchemy.orm import Session

from wifidesa.admin import audit
from wifidesa.admin.scope import Scope
from wifidesa.db.bulk import refresh_statistics
from wifidesa.db.models import Account, AccountKind, Voucher, VoucherBatch
from wifidesa.errors import InvalidInput, RowsRejected
from wifidesa.vouchers.codes import BULK, MAX_BATCH, existing_codes, normalize_code
from wifidesa.vouchers.stock import check_target

_CODE = re.compile(r"^[A-Z0-9]{4,32}$")


def parse_voucher_csv(text: str) -> list[tuple[int, str, str | None]]:
    """(line, normalised code, password or None) per row; raises with every bad line."""
    reader = csv.reader(io.StringIO(text))
    header = [h.strip().lower() for h in next(reader, [])]
    if not header or header[0] != "code" or header[1:] not in ([], ["password"]):
        raise InvalidInput("line 1: expected the header 'code' or 'code,password'")
    rows: list[tuple[int, str, str | None]] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for fields in reader:
        line = reader.line_num
        if not any(f.strip() for f in fields):
            continue
        if len(fields) != len(header):
            problems.append(f"line {line}: expected {len(header)} field(s)")
            continue
        code = normalize_code(fields[0])
        password = fields[1].strip() if len(fields) > 1 and fields[1].strip() else None
        if not _CODE.match(code):
            problems.append(f"line {line}: code {fields[0]!r} must be 4 to 32 letters or digits")
        elif code in seen:
            problems.append(f"line {line}: code {code} also on line {seen[code]}")
        elif password is not None and len(password) > 64:
            problems.append(f"line {line}: password longer than 64 characters")
        else:
            seen[code] = line
            rows.append((line, code, password))
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
        raise InvalidInput(f"{source}: no vouchers to import")
    if len(rows) > MAX_BATCH:
        raise InvalidInput(f"{source}: at most {MAX_BATCH} vouchers per import")
    site, profile = check_target(
        session=session, scope=scope, site_id=site_id, profile_id=profile_id
    )
    taken = existing_codes(session, (code for _, code, _ in rows))
    if taken:
        problems = [
            f"line {line}: code {code} exists already" for line, code, _ in rows if code in taken
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
            {"account_id": a, "code": code, "password": password, "batch_id": batch.id}
            for a, (_, code, password) in zip(account_ids, rows, strict=True)
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
