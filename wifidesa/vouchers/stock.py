"""Stock accountability for voucher cards: who generated a batch, who printed or exported it,
which cards were handed out and which were revoked. Every write is scoped and audited with the
village's site_id, so the audit log answers for every card.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from wifidesa.admin import audit
from wifidesa.admin.scope import Scope, require_site, site_filter
from wifidesa.db.engine import utcnow
from wifidesa.db.models import (
    Account,
    AccountStatus,
    Profile,
    Site,
    Voucher,
    VoucherBatch,
)
from wifidesa.errors import FIRST, LAST, ErrorCode, InvalidInput, NotFound
from wifidesa.profiles.operations import get_usable_profile
from wifidesa.usage.coa_requests import disconnect_account
from wifidesa.usernames import normalize_code
from wifidesa.vouchers.cards import VoucherFilter, VoucherRow, all_vouchers, get_batch
from wifidesa.vouchers.codes import Progress, check_batch, store_batch

MAX_NOTE = 255  # the column's length


def export_rows(
    *, session: Session, scope: Scope, batch_id: int, now: datetime
) -> list[VoucherRow]:
    """Every card of a batch with its status, for a CSV file. Audited: the codes leave us."""
    batch = get_batch(session=session, scope=scope, batch_id=batch_id)
    rows = all_vouchers(
        session=session, scope=scope, filters=VoucherFilter(batch_id=batch_id), now=now
    )
    audit.record(
        session=session,
        action="vouchers.export",
        actor=scope,
        object_type="voucher_batch",
        object_id=batch_id,
        site_id=batch.site_id,
        count=len(rows),
    )
    return rows


def check_target(
    *, session: Session, scope: Scope, site_id: int, profile_id: int, note: str = ""
) -> tuple[Site, Profile]:
    """The village and profile of new cards: in the scope, a profile the caller may give out,
    a village that accepts vouchers."""
    site = require_site(session=session, scope=scope, site_id=site_id)
    profile = get_usable_profile(session=session, scope=scope, profile_id=profile_id)
    if not site.allow_voucher:
        raise InvalidInput(ErrorCode.NO_VOUCHERS_HERE)
    if len(note) > MAX_NOTE:
        raise InvalidInput(ErrorCode.NOTE_TOO_LONG, maximum=MAX_NOTE)
    return site, profile


def check_generation(
    *,
    session: Session,
    scope: Scope,
    site_id: int,
    profile_id: int,
    count: int,
    prefix: str = "",
    note: str = "",
    use_by: date | None = None,
    now: datetime | None = None,
) -> None:
    """Everything `generate` would refuse, refused now (before a background job starts)."""
    site, _profile = check_target(
        session=session, scope=scope, site_id=site_id, profile_id=profile_id, note=note
    )
    check_batch(count=count, prefix=prefix, use_by=use_by, zone=site.timezone, now=now or utcnow())


def generate(
    *,
    session: Session,
    scope: Scope,
    site_id: int,
    profile_id: int,
    count: int,
    prefix: str = "",
    note: str = "",
    use_by: date | None = None,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> tuple[VoucherBatch, list[str]]:
    """A new batch of cards for a village in the scope, with a profile the admin may use;
    with `use_by`, the cards cannot be used after that day (the village's local time)."""
    site, profile = check_target(
        session=session, scope=scope, site_id=site_id, profile_id=profile_id, note=note
    )
    return store_batch(
        session=session,
        site=site,
        profile=profile,
        count=count,
        prefix=prefix,
        note=note.strip(),
        use_by=use_by,
        actor=scope,
        progress=progress,
        now=now,
    )


def revoke(*, session: Session, scope: Scope, account_id: int, now: datetime) -> int:
    """Revoke a card for good and queue a Disconnect for each of its live sessions (the RADIUS
    service sends them). Returns how many were queued; revoking twice changes nothing."""
    found = session.execute(
        select(Account, Voucher.code)
        .join(Voucher, Voucher.account_id == Account.id)
        .where(Account.id == account_id, site_filter(scope, Account.site_id))
    ).one_or_none()
    if found is None:
        raise NotFound(ErrorCode.VOUCHER_NOT_FOUND, account_id=account_id)
    account, code = found
    if account.status is AccountStatus.REVOKED:
        return 0
    account.status = AccountStatus.REVOKED
    queued = disconnect_account(
        session=session,
        account_id=account_id,
        now=now,
        asked_by=scope.username,
        admin_id=scope.admin_id,
    )
    audit.record(
        session=session,
        action="vouchers.revoke",
        actor=scope,
        object_type="voucher",
        object_id=account_id,
        site_id=account.site_id,
        code=code,
        disconnects=queued,
    )
    return queued


def mark_distributed(
    *,
    session: Session,
    scope: Scope,
    batch_id: int,
    first_code: str,
    last_code: str,
    now: datetime,
) -> int:
    """Mark the cards of a batch from `first_code` to `last_code` (in code order) as handed
    out. Cards already marked keep their first date. Returns how many were newly marked."""
    batch = get_batch(session=session, scope=scope, batch_id=batch_id)
    first, last = normalize_code(first_code), normalize_code(last_code)
    for code, which in ((first, FIRST), (last, LAST)):
        in_batch = session.scalar(
            select(Voucher.account_id).where(Voucher.batch_id == batch_id, Voucher.code == code)
        )
        if in_batch is None:
            raise InvalidInput(ErrorCode.CODE_NOT_IN_BATCH, which=which)
    if first > last:
        first, last = last, first
    outcome = session.execute(
        update(Voucher)
        .where(
            Voucher.batch_id == batch_id,
            Voucher.code >= first,
            Voucher.code <= last,
            Voucher.distributed_at.is_(None),
        )
        .values(distributed_at=now)
        .execution_options(synchronize_session=False)
    )
    marked = int(getattr(outcome, "rowcount", 0) or 0)
    audit.record(
        session=session,
        action="vouchers.distribute",
        actor=scope,
        object_type="voucher_batch",
        object_id=batch_id,
        site_id=batch.site_id,
        first_code=first,
        last_code=last,
        count=marked,
    )
    return marked


def record_print(
    *,
    session: Session,
    scope: Scope,
    batch_id: int,
    layout: str,
    medium: str = "pdf",
    codes: Sequence[str] | None = None,
) -> None:
    """Note in the audit log that an admin printed (or opened for print) a batch: all of it,
    or only `codes` (a reprint of some cards; the first and last are noted)."""
    batch = get_batch(session=session, scope=scope, batch_id=batch_id)
    detail: dict[str, object] = {"layout": layout, "medium": medium}
    if codes is None or len(codes) == batch.count:
        detail["count"] = batch.count
    else:
        detail |= {
            "count": len(codes),
            "first_code": min(codes, default=""),
            "last_code": max(codes, default=""),
        }
    audit.record(
        session=session,
        action="vouchers.print",
        actor=scope,
        object_type="voucher_batch",
        object_id=batch_id,
        site_id=batch.site_id,
        **detail,
    )
