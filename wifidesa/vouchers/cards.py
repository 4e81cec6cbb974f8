"""Vouchers for admins: list and filter cards, batches with their stock figures, and the stock
accountability writes (generate, print, hand out, revoke), each scoped and audited.

Every function takes the admin's `Scope`: cards and batches of villages outside it are
reported as not found. Statuses are defined in wifidesa.vouchers.status.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, case, func, select
from sqlalchemy.orm import Session

from wifidesa.admin.scope import Scope, require_site, site_filter
from wifidesa.db.models import (
    Account,
    AccountKind,
    AccountStatus,
    AdminUser,
    Profile,
    Site,
    Voucher,
    VoucherBatch,
)
from wifidesa.errors import ErrorCode, InvalidInput, NotFound
from wifidesa.usernames import normalize_code
from wifidesa.vouchers.codes import use_by_day
from wifidesa.vouchers.status import VoucherStatus, status_column, status_condition

MAX_PAGE = 500  # rows per page of a list


@dataclass(frozen=True)
class VoucherFilter:
    """Which cards to list; every part is optional."""

    site_id: int | None = None
    status: VoucherStatus | None = None
    batch_id: int | None = None
    search: str = ""  # the start of a code, as typed (dashes and spaces are ignored)


@dataclass(frozen=True)
class VoucherRow:
    account_id: int
    code: str
    site_id: int
    site_code: str
    site_name: str
    profile: str
    batch_id: int
    status: VoucherStatus
    first_used_at: datetime | None
    expires_at: datetime | None
    distributed_at: datetime | None


T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: list[T]
    total: int  # rows matching, over all pages
    limit: int
    offset: int


@dataclass(frozen=True)
class BatchRow:
    id: int
    site_id: int
    site_code: str
    site_name: str
    profile_id: int
    profile: str
    count: int
    prefix: str
    note: str
    created_at: datetime
    created_by: str | None  # the admin's username; None for the CLI or a deleted admin
    distributed: int = 0
    used: int = 0
    revoked: int = 0
    use_by: date | None = None  # the last day its cards can be used (village time), if any


def _page_bounds(limit: int, offset: int) -> tuple[int, int]:
    if not 1 <= limit <= MAX_PAGE or offset < 0:
        raise InvalidInput(ErrorCode.BAD_PAGE, maximum=MAX_PAGE)
    return limit, offset


def _voucher_clauses(
    session: Session, scope: Scope, filters: VoucherFilter, now: datetime
) -> list[ColumnElement[bool]]:
    clauses = [Account.kind == AccountKind.VOUCHER, site_filter(scope, Account.site_id)]
    if filters.site_id is not None:
        require_site(session=session, scope=scope, site_id=filters.site_id)
        clauses.append(Account.site_id == filters.site_id)
    if filters.batch_id is not None:
        clauses.append(Voucher.batch_id == filters.batch_id)
    if filters.status is not None:
        clauses.append(status_condition(filters.status, now))
    search = normalize_code(filters.search)
    if search:
        clauses.append(Voucher.code.startswith(search, autoescape=True))
    return clauses


def _voucher_rows(
    clauses: Sequence[ColumnElement[bool]], now: datetime
) -> Select[*tuple[Any, ...]]:
    return (
        # Labelled as VoucherRow's fields: a row becomes one by name.
        select(
            Account.id.label("account_id"),
            Voucher.code.label("code"),
            Site.id.label("site_id"),
            Site.code.label("site_code"),
            Site.name.label("site_name"),
            Profile.name.label("profile"),
            Voucher.batch_id.label("batch_id"),
            status_column(now).label("status"),
            Account.first_used_at.label("first_used_at"),
            Account.expires_at.label("expires_at"),
            Voucher.distributed_at.label("distributed_at"),
        )
        .join(Voucher, Voucher.account_id == Account.id)
        .join(Site, Site.id == Account.site_id)
        .join(Profile, Profile.id == Account.profile_id)
        .where(*clauses)
        .order_by(Voucher.batch_id.desc(), Voucher.code)
    )


def _as_row(row: Any) -> VoucherRow:
    fields = dict(row._mapping)
    fields["status"] = VoucherStatus(fields["status"])
    return VoucherRow(**fields)


def list_vouchers(
    *,
    session: Session,
    scope: Scope,
    filters: VoucherFilter,
    now: datetime,
    limit: int = 50,
    offset: int = 0,
) -> Page[VoucherRow]:
    """Cards in the scope matching `filters`, newest batch first, by code within a batch."""
    limit, offset = _page_bounds(limit, offset)
    clauses = _voucher_clauses(session, scope, filters, now)
    count = (
        select(func.count())
        .select_from(Account)
        .join(Voucher, Voucher.account_id == Account.id)
        .where(*clauses)
    )
    total = session.scalar(count) or 0
    query = _voucher_rows(clauses, now).limit(limit).offset(offset)
    rows = [_as_row(row) for row in session.execute(query)]
    return Page(rows, total, limit, offset)


def get_voucher(*, session: Session, scope: Scope, account_id: int, now: datetime) -> VoucherRow:
    """One card by its account id; NotFound if it does not exist or lies outside the scope."""
    clauses = [*_voucher_clauses(session, scope, VoucherFilter(), now), Account.id == account_id]
    row = session.execute(_voucher_rows(clauses, now)).one_or_none()
    if row is None:
        raise NotFound(ErrorCode.VOUCHER_NOT_FOUND, account_id=account_id)
    return _as_row(row)


def all_vouchers(
    *, session: Session, scope: Scope, filters: VoucherFilter, now: datetime
) -> list[VoucherRow]:
    """Every card matching `filters`, unpaged (a batch's export: at most MAX_BATCH rows)."""
    clauses = _voucher_clauses(session, scope, filters, now)
    return [_as_row(row) for row in session.execute(_voucher_rows(clauses, now))]


def _batch_query(scope: Scope) -> Select[*tuple[Any, ...]]:
    return (
        # Labelled as BatchRow's fields: a row becomes one by name.
        select(
            VoucherBatch.id.label("id"),
            VoucherBatch.site_id.label("site_id"),
            Site.code.label("site_code"),
            Site.name.label("site_name"),
            VoucherBatch.profile_id.label("profile_id"),
            Profile.name.label("profile"),
            VoucherBatch.count.label("count"),
            VoucherBatch.prefix.label("prefix"),
            VoucherBatch.note.label("note"),
            VoucherBatch.created_at.label("created_at"),
            AdminUser.username.label("created_by"),
        )
        .join(Site, Site.id == VoucherBatch.site_id)
        .join(Profile, Profile.id == VoucherBatch.profile_id)
        .outerjoin(AdminUser, AdminUser.id == VoucherBatch.created_by_id)
        .where(site_filter(scope, VoucherBatch.site_id))
    )


def _with_figures(session: Session, rows: Sequence[Any]) -> list[BatchRow]:
    """Batches with how many of their cards were handed out, used and revoked, and their
    use-by day: cards never used keep the end of that day as `expires_at` (set at generation;
    no column of its own), so a batch whose every card was used no longer shows one."""
    ids = [row.id for row in rows]
    figures: dict[int, tuple[int, int, int, date | None]] = {}
    if ids:
        unused_end = case((Account.first_used_at.is_(None), Account.expires_at))
        query = (
            select(
                Voucher.batch_id,
                func.sum(case((Voucher.distributed_at.is_not(None), 1), else_=0)),
                func.sum(case((Account.first_used_at.is_not(None), 1), else_=0)),
                func.sum(case((Account.status != AccountStatus.ACTIVE, 1), else_=0)),
                func.min(unused_end),
                Site.timezone,
            )
            .join(Account, Account.id == Voucher.account_id)
            .join(Site, Site.id == Account.site_id)
            .where(Voucher.batch_id.in_(ids))
            .group_by(Voucher.batch_id, Site.timezone)
        )
        figures = {
            b: (int(d or 0), int(u or 0), int(r or 0), use_by_day(end, zone) if end else None)
            for b, d, u, r, end, zone in session.execute(query)
        }
    batches = []
    for row in rows:
        distributed, used, revoked, use_by = figures.get(row.id, (0, 0, 0, None))
        batch = BatchRow(**row._mapping)
        batches.append(
            replace(batch, distributed=distributed, used=used, revoked=revoked, use_by=use_by)
        )
    return batches


def list_batches(
    *, session: Session, scope: Scope, site_id: int | None = None, limit: int = 50, offset: int = 0
) -> Page[BatchRow]:
    """Batches in the scope, newest first, with their stock figures."""
    limit, offset = _page_bounds(limit, offset)
    query = _batch_query(scope)
    if site_id is not None:
        require_site(session=session, scope=scope, site_id=site_id)
        query = query.where(VoucherBatch.site_id == site_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = session.execute(query.order_by(VoucherBatch.id.desc()).limit(limit).offset(offset)).all()
    return Page(_with_figures(session, page), total, limit, offset)


def get_batch(*, session: Session, scope: Scope, batch_id: int) -> BatchRow:
    """One batch with its figures; NotFound if it does not exist or lies outside the scope."""
    row = session.execute(_batch_query(scope).where(VoucherBatch.id == batch_id)).one_or_none()
    if row is None:
        raise NotFound(ErrorCode.BATCH_NOT_FOUND, batch_id=batch_id)
    return _with_figures(session, [row])[0]


def batch_codes(
    *, session: Session, scope: Scope, batch_id: int, first: str = "", last: str = ""
) -> list[str]:
    """The codes of a batch, sorted (the order they print in and are handed out by); with
    `first` and/or `last` (as typed), only those in that range, e.g. to reprint some cards."""
    get_batch(session=session, scope=scope, batch_id=batch_id)
    first, last = normalize_code(first), normalize_code(last)
    if first and last and first > last:
        first, last = last, first
    query = select(Voucher.code).where(Voucher.batch_id == batch_id)
    if first:
        query = query.where(Voucher.code >= first)
    if last:
        query = query.where(Voucher.code <= last)
    return list(session.scalars(query.order_by(Voucher.code)))


def batch_code_range(*, session: Session, scope: Scope, batch_id: int) -> tuple[str, str]:
    """The first and last code of a batch, in code order."""
    get_batch(session=session, scope=scope, batch_id=batch_id)
    query = select(func.min(Voucher.code), func.max(Voucher.code))
    low, high = session.execute(query.where(Voucher.batch_id == batch_id)).one()
    return low or "", high or ""


def batch_profile(*, session: Session, scope: Scope, batch_id: int) -> Profile:
    """The profile of a batch's cards, for printing them in plain words."""
    batch = get_batch(session=session, scope=scope, batch_id=batch_id)
    profile = session.get(Profile, batch.profile_id)
    assert profile is not None  # a foreign key with ON DELETE RESTRICT
    return profile
