"""Fair-use quotas: data and time per day, week, month or in total, in the site's time zone.

One set of rules, used at login (RADIUS), after accounting (mid-session CoA) and by the portal's
status page. Usage comes from usage_daily (one row per account per local day), so a period is a
range of local dates and its boundaries fall at local midnight (00:00 WITA in Kaltim).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from wifidesa.db.models import ProfileLimit, QuotaPeriod, UsageDaily
from wifidesa.localtime import local_day, local_midnight
from wifidesa.messages import Message, Moment

# What villagers read when a quota blocks them: English msgids, translated where the reply is
# built (RADIUS answers in Bahasa Indonesia: RouterOS shows the Reply-Message as-is).
BLOCK_MESSAGE = "Your {period} quota is used up. You can use it again from {resets}."
TOTAL_BLOCK_MESSAGE = "Your total quota is used up."
PERIOD_WORDS = {
    QuotaPeriod.DAY: Message("daily"),
    QuotaPeriod.WEEK: Message("weekly"),
    QuotaPeriod.MONTH: Message("monthly"),
    QuotaPeriod.TOTAL: Message("total"),
}


@dataclass(frozen=True)
class Limit:
    period: QuotaPeriod
    data_bytes: int | None
    time_seconds: int | None


@dataclass(frozen=True)
class Usage:
    octets: int = 0  # upload + download
    seconds: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(self.octets + other.octets, self.seconds + other.seconds)


@dataclass(frozen=True)
class QuotaStatus:
    """What is left of every limit of an account at a moment."""

    bytes_left: int | None  # None: no data limit
    seconds_left: int | None  # None: no time limit
    exceeded: Limit | None  # the first limit used up, if any
    resets_at: datetime | None  # when the used-up limit frees again (None: never, 'total')

    @property
    def over(self) -> bool:
        return self.exceeded is not None


def period_start(period: QuotaPeriod, today: date) -> date | None:
    """First local day of the period containing `today` (None: since the beginning)."""
    if period is QuotaPeriod.DAY:
        return today
    if period is QuotaPeriod.WEEK:
        return today - timedelta(days=today.weekday())  # weeks start on Monday
    if period is QuotaPeriod.MONTH:
        return today.replace(day=1)
    return None


def period_end(period: QuotaPeriod, today: date) -> date | None:
    """First local day after the period containing `today` (None: never ends)."""
    if period is QuotaPeriod.DAY:
        return today + timedelta(days=1)
    if period is QuotaPeriod.WEEK:
        return today + timedelta(days=7 - today.weekday())
    if period is QuotaPeriod.MONTH:
        return (today.replace(day=28) + timedelta(days=4)).replace(day=1)
    return None


def usage_in(days: dict[date, Usage], period: QuotaPeriod, today: date) -> Usage:
    start, end = period_start(period, today), period_end(period, today)
    total = Usage()
    for day, used in days.items():
        if (start is None or day >= start) and (end is None or day < end):
            total = total + used
    return total


def quota_status(
    limits: Sequence[Limit], days: dict[date, Usage], now: datetime, zone: str
) -> QuotaStatus:
    """Remaining data and time over every limit, and the first one used up (if any)."""
    today = local_day(now, zone)
    bytes_left: int | None = None
    seconds_left: int | None = None
    exceeded: Limit | None = None
    resets_at: datetime | None = None
    for limit in limits:
        used = usage_in(days, limit.period, today)
        end = period_end(limit.period, today)
        used_up = False
        if limit.data_bytes is not None:
            left = max(0, limit.data_bytes - used.octets)
            bytes_left = left if bytes_left is None else min(bytes_left, left)
            used_up = used_up or left == 0
        if limit.time_seconds is not None:
            left = max(0, limit.time_seconds - used.seconds)
            seconds_left = left if seconds_left is None else min(seconds_left, left)
            used_up = used_up or left == 0
        if used_up:
            reset = local_midnight(end, zone) if end else None
            # The binding limit is the one that frees last: a used-up month outlasts a day.
            # On a tie (the month's last day) the longer period is the clearer message.
            if exceeded is None or (
                resets_at is not None and (reset is None or reset >= resets_at)
            ):
                exceeded, resets_at = limit, reset
    return QuotaStatus(bytes_left, seconds_left, exceeded, resets_at)


def block_message(status: QuotaStatus, zone: str) -> Message:
    """Why a used-up quota refuses a login, with the moment it frees again as a parameter."""
    assert status.exceeded is not None
    if status.resets_at is None:
        return Message(TOTAL_BLOCK_MESSAGE)
    return Message(
        BLOCK_MESSAGE,
        {
            "period": PERIOD_WORDS[status.exceeded.period],
            "resets": Moment(at=status.resets_at, zone=zone),
        },
    )


def earliest_start(limits: Iterable[Limit], today: date) -> date | None:
    """The first local day whose usage any of these limits needs (None: all of them)."""
    starts = [period_start(limit.period, today) for limit in limits]
    if not starts or any(s is None for s in starts):
        return None
    return min(s for s in starts if s is not None)


def load_usage(
    *, session: Session, account_ids: Iterable[int], since: date | None
) -> dict[int, dict[date, Usage]]:
    """Usage per local day of each account, from `since` on (None: all days)."""
    ids = list(account_ids)
    found: dict[int, dict[date, Usage]] = {i: {} for i in ids}
    if not ids:
        return found
    query = select(
        UsageDaily.account_id,
        UsageDaily.day,
        UsageDaily.input_octets,
        UsageDaily.output_octets,
        UsageDaily.session_seconds,
    ).where(UsageDaily.account_id.in_(ids))
    if since is not None:
        query = query.where(UsageDaily.day >= since)
    for account_id, day, up, down, seconds in session.execute(query):
        found[account_id][day] = Usage(up + down, seconds)
    return found


def load_quota_usage(
    *, session: Session, accounts: dict[int, tuple[Sequence[Limit], str]], now: datetime
) -> dict[int, dict[date, Usage]]:
    """Per-day usage of each account (id → (limits, zone)) as far back as its limits look."""
    since: date | None = date.max
    for limits, zone in accounts.values():
        start = earliest_start(limits, local_day(now, zone))
        since = None if start is None or since is None else min(since, start)
    return load_usage(session=session, account_ids=accounts, since=since)


def load_limits(*, session: Session, profile_ids: Iterable[int]) -> dict[int, list[Limit]]:
    """The quota limits of each profile that has any."""
    found: dict[int, list[Limit]] = {}
    query = select(
        ProfileLimit.profile_id,
        ProfileLimit.period,
        ProfileLimit.data_bytes,
        ProfileLimit.time_seconds,
    ).where(ProfileLimit.profile_id.in_(set(profile_ids)))
    for profile_id, period, data_bytes, time_seconds in session.execute(query):
        found.setdefault(profile_id, []).append(Limit(period, data_bytes, time_seconds))
    return found
