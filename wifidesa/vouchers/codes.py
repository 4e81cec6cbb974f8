"""Voucher codes: generation (unique, unambiguous, ≥ 40 bits), batches, normalisation."""

from __future__ import annotations

import math
import re
import secrets
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from wifidesa.admin import audit
from wifidesa.admin.scope import Scope
from wifidesa.db.bulk import refresh_statistics
from wifidesa.db.engine import utcnow
from wifidesa.db.models import Account, AccountKind, Profile, Site, Voucher, VoucherBatch
from wifidesa.errors import ErrorCode, InvalidInput
from wifidesa.localtime import local_midnight

# No 0/O, 1/I/l: codes are read off paper and typed on phones. Upper case only, 32 symbols.
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 10  # 10 × 5 bits = 50 bits of entropy
ENTROPY_BITS = CODE_LENGTH * math.log2(len(ALPHABET))
GROUP = 5  # printed as ABCDE-FGHJK
MAX_BATCH = 50_000
BULK = 1000  # batches this large refresh the planner's statistics (PostgreSQL)
MAX_PREFIX = 4
_LOOKUP_CHUNK = 500
_INSERT_CHUNK = 1000  # rows per INSERT of a large batch: progress is reported between them

Progress = Callable[[int, int], None]


_BITS = 5
assert len(ALPHABET) == 1 << _BITS  # each symbol is exactly 5 random bits: no modulo bias


def random_code(prefix: str = "") -> str:
    bits = secrets.randbits(CODE_LENGTH * _BITS)
    return prefix + "".join(ALPHABET[(bits >> (_BITS * i)) & 31] for i in range(CODE_LENGTH))


def format_code(code: str) -> str:
    """For print: the random part in groups of five, after any prefix."""
    head, body = code[: len(code) - CODE_LENGTH], code[-CODE_LENGTH:]
    groups = [body[i : i + GROUP] for i in range(0, len(body), GROUP)]
    return (head + "-" if head else "") + "-".join(groups)


def check_prefix(prefix: str) -> str:
    prefix = prefix.strip().upper()
    if len(prefix) > MAX_PREFIX or any(ch not in ALPHABET for ch in prefix):
        raise InvalidInput(ErrorCode.BAD_PREFIX, maximum=MAX_PREFIX, alphabet=ALPHABET)
    return prefix


def existing_codes(session: Session, codes: Iterable[str]) -> set[str]:
    pending = list(codes)
    found: set[str] = set()
    for start in range(0, len(pending), _LOOKUP_CHUNK):
        chunk = pending[start : start + _LOOKUP_CHUNK]
        found.update(session.scalars(select(Voucher.code).where(Voucher.code.in_(chunk))))
    return found


def new_codes(*, session: Session, count: int, prefix: str = "") -> list[str]:
    """`count` codes unique among themselves and against every stored voucher."""
    codes: set[str] = set()
    while len(codes) < count:
        fresh = {random_code(prefix) for _ in range(count - len(codes))} - codes
        codes |= fresh - existing_codes(session, fresh)
    return sorted(codes)


def parse_use_by(text: str) -> date | None:
    """A use-by day as typed or sent by a date input, YYYY-MM-DD; None when empty."""
    text = text.strip()
    if not text:
        return None
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise InvalidInput(ErrorCode.BAD_USE_BY)


def use_by_end(day: date, zone: str) -> datetime:
    """The end of a use-by day: the local midnight after it, in the site's time zone."""
    return local_midnight(day + timedelta(days=1), zone)


def use_by_day(end: datetime, zone: str) -> date:
    """The use-by day whose end is `end` (the inverse of `use_by_end`)."""
    return (end.astimezone(ZoneInfo(zone)) - timedelta(seconds=1)).date()


def check_use_by(use_by: date | None, zone: str, now: datetime) -> datetime | None:
    """The end of a batch's use-by day (None without one); refused once that day is over."""
    if use_by is None:
        return None
    if use_by == date.max:  # no day after it
        raise InvalidInput(ErrorCode.BAD_USE_BY)
    end = use_by_end(use_by, zone)
    if end <= now:
        raise InvalidInput(ErrorCode.USE_BY_PAST)
    return end


def check_batch(
    *, count: int, prefix: str, use_by: date | None, zone: str, now: datetime
) -> tuple[str, datetime | None]:
    """What a batch request may ask for: (normalised prefix, end of its use-by day or None)."""
    if not 1 <= count <= MAX_BATCH:
        raise InvalidInput(ErrorCode.COUNT_OUT_OF_RANGE, maximum=MAX_BATCH)
    return check_prefix(prefix), check_use_by(use_by, zone, now)


def store_batch(
    *,
    session: Session,
    site: Site,
    profile: Profile,
    count: int,
    prefix: str = "",
    note: str = "",
    use_by: date | None = None,
    actor: Scope,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> tuple[VoucherBatch, list[str]]:
    """Store a batch of `count` new vouchers for a site and profile that the caller checked
    (`wifidesa.vouchers.stock.generate` is the operation); returns the batch and its codes.

    With `use_by`, no card of the batch can be used after the end of that day (the site's
    local time): it is stored as the cards' `expires_at`, which first use caps the profile's
    validity by (wifidesa.access.rules.check_validity).
    `progress(done, total)` is called as the cards are stored (for batches of thousands).
    """
    prefix, expires_at = check_batch(
        count=count, prefix=prefix, use_by=use_by, zone=site.timezone, now=now or utcnow()
    )
    creator_id = audit.who(actor)[0]
    batch = VoucherBatch(
        site_id=site.id,
        profile_id=profile.id,
        count=count,
        prefix=prefix,
        note=note,
        created_by_id=creator_id,
    )
    session.add(batch)
    session.flush()
    codes = new_codes(session=session, count=count, prefix=prefix)
    for start in range(0, count, _INSERT_CHUNK):
        chunk = codes[start : start + _INSERT_CHUNK]
        # Bulk insert with RETURNING (SQLAlchemy "insertmanyvalues"): many rows a round trip.
        account_ids = list(
            session.scalars(
                insert(Account).returning(Account.id, sort_by_parameter_order=True),
                [
                    {
                        "kind": AccountKind.VOUCHER,
                        "site_id": site.id,
                        "profile_id": profile.id,
                        "created_by_id": creator_id,
                        "expires_at": expires_at,
                    }
                    for _ in chunk
                ],
            )
        )
        session.execute(
            insert(Voucher),
            [
                {"account_id": account_id, "code": code, "batch_id": batch.id}
                for account_id, code in zip(account_ids, chunk, strict=True)
            ],
        )
        if progress is not None:
            progress(start + len(chunk), count)
    if count >= BULK:
        refresh_statistics(session, "accounts", "vouchers")
    audit.record(
        session=session,
        action="vouchers.generate",
        actor=actor,
        object_type="voucher_batch",
        object_id=batch.id,
        site_id=site.id,
        count=count,
        profile=profile.name,
        **({"use_by": use_by.isoformat()} if use_by else {}),
    )
    return batch, codes


def unused_codes(*, session: Session, site_id: int, limit: int) -> list[str]:
    """Codes of vouchers at a site that were never used (for the router simulator and demos)."""
    query = (
        select(Voucher.code)
        .join(Account, Account.id == Voucher.account_id)
        .where(Account.site_id == site_id, Account.first_used_at.is_(None))
        .order_by(Voucher.code)
        .limit(limit)
    )
    return list(session.scalars(query))
