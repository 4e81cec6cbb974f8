"""What state a voucher card is in, as admins see it: one definition, as SQL expressions.

Every voucher is in exactly one of these, checked in this order:

- **revoked**: its account is no longer ACTIVE (an admin revoked it; a DISABLED voucher counts
  here too, since it is refused at login the same way).
- **expired**: ACTIVE, and `expires_at` has passed. RADIUS sets `expires_at` at first use from
  the profile's validity (wifidesa.access.rules.check_validity); a card never used has none,
  unless its batch has a use-by day: then the end of that day, and an unused card expires.
- **unused**: ACTIVE, never used (`first_used_at` is empty), not expired.
- **used up**: ACTIVE, used, not expired, and a TOTAL-period limit of its profile is exhausted
  by the sum of its usage_daily rows (data ≥ the limit's bytes, or time ≥ its seconds). Daily,
  weekly and monthly quotas reset, so a card over one of those is still "active": it can be
  used again after the reset, while a card over its total never can.
- **active**: ACTIVE, used, not expired, total quota left (or no total limit).

The same expressions serve filters (a WHERE clause per status) and the status column of a
list (a CASE), so a card is listed under the status it shows.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ColumnElement, and_, case, exists, func, or_, select

from wifidesa.db.models import Account, AccountStatus, ProfileLimit, QuotaPeriod, UsageDaily


class VoucherStatus(StrEnum):
    UNUSED = "unused"
    ACTIVE = "active"
    EXPIRED = "expired"
    USED_UP = "used_up"
    REVOKED = "revoked"


def _revoked() -> ColumnElement[bool]:
    return Account.status != AccountStatus.ACTIVE


def _expired(now: datetime) -> ColumnElement[bool]:
    return and_(Account.expires_at.is_not(None), Account.expires_at <= now)


def _not_expired(now: datetime) -> ColumnElement[bool]:
    return or_(Account.expires_at.is_(None), Account.expires_at > now)


def total_quota_used_up() -> ColumnElement[bool]:
    """True for accounts whose profile has a TOTAL limit that their usage has reached."""
    octets = (
        select(func.coalesce(func.sum(UsageDaily.input_octets + UsageDaily.output_octets), 0))
        .where(UsageDaily.account_id == Account.id)
        .correlate(Account)
        .scalar_subquery()
    )
    seconds = (
        select(func.coalesce(func.sum(UsageDaily.session_seconds), 0))
        .where(UsageDaily.account_id == Account.id)
        .correlate(Account)
        .scalar_subquery()
    )
    return exists(
        select(ProfileLimit.id)
        .where(
            ProfileLimit.profile_id == Account.profile_id,
            ProfileLimit.period == QuotaPeriod.TOTAL,
            or_(
                and_(ProfileLimit.data_bytes.is_not(None), octets >= ProfileLimit.data_bytes),
                and_(ProfileLimit.time_seconds.is_not(None), seconds >= ProfileLimit.time_seconds),
            ),
        )
        .correlate(Account)
    )


def status_condition(status: VoucherStatus, now: datetime) -> ColumnElement[bool]:
    """A WHERE clause keeping the voucher accounts in `status` at `now`."""
    active = Account.status == AccountStatus.ACTIVE
    used = Account.first_used_at.is_not(None)
    if status is VoucherStatus.REVOKED:
        return _revoked()
    if status is VoucherStatus.EXPIRED:
        return and_(active, _expired(now))
    if status is VoucherStatus.UNUSED:
        return and_(active, Account.first_used_at.is_(None), _not_expired(now))
    if status is VoucherStatus.USED_UP:
        return and_(active, used, _not_expired(now), total_quota_used_up())
    return and_(active, used, _not_expired(now), ~total_quota_used_up())


def status_column(now: datetime) -> ColumnElement[str]:
    """Each voucher account's status at `now`, as a column (the VoucherStatus value)."""
    return case(
        (_revoked(), VoucherStatus.REVOKED.value),
        (_expired(now), VoucherStatus.EXPIRED.value),
        (Account.first_used_at.is_(None), VoucherStatus.UNUSED.value),
        (total_quota_used_up(), VoucherStatus.USED_UP.value),
        else_=VoucherStatus.ACTIVE.value,
    )
