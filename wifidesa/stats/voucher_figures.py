"""Vouchers of an area over a period: issued (printed), handed out, first used — counted from
the vouchers themselves at the time asked, in the period's local days (WITA)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from wifidesa.db.bulk import one_of_ids
from wifidesa.db.models import Account, AccountKind, Voucher
from wifidesa.localtime import local_midnight
from wifidesa.settings import DEFAULT_TIMEZONE
from wifidesa.stats.periods import Period


@dataclass(frozen=True)
class VoucherFigures:
    issued: int = 0  # created (printed or imported)
    handed_out: int = 0  # marked as given to a villager
    first_used: int = 0  # logged in for the first time


def _within(
    column: InstrumentedAttribute[datetime | None], start: datetime, end: datetime
) -> list[ColumnElement[bool]]:
    return [column >= start, column < end]


def voucher_figures(
    *, session: Session, site_ids: Sequence[int], period: Period, zone: str = DEFAULT_TIMEZONE
) -> VoucherFigures:
    if not site_ids:
        return VoucherFigures()
    start = local_midnight(period.first, zone)
    end = local_midnight(period.last + timedelta(days=1), zone)
    vouchers = [
        Account.kind == AccountKind.VOUCHER,
        one_of_ids(Account.site_id, site_ids, session=session),
    ]

    def count(*where: ColumnElement[bool], joined: bool = False) -> int:
        query = select(func.count()).select_from(Account)
        if joined:
            query = query.join(Voucher, Voucher.account_id == Account.id)
        return int(session.scalar(query.where(*vouchers, *where)) or 0)

    return VoucherFigures(
        issued=count(*_within(Account.created_at, start, end)),
        handed_out=count(*_within(Voucher.distributed_at, start, end), joined=True),
        first_used=count(*_within(Account.first_used_at, start, end)),
    )
