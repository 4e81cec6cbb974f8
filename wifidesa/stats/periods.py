"""Periods statistics are asked for: a local day, an ISO week (Monday to Sunday), a calendar
month or year, or custom dates — always whole local days (WITA by default), so a period is
the site-days between two dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from wifidesa.errors import ErrorCode, InvalidInput

# A custom period is at most this long: three years of daily figures fit a page and a sheet.
LONGEST_CUSTOM = timedelta(days=3 * 366)


class PeriodKind(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"
    CUSTOM = "custom"


@dataclass(frozen=True)
class Period:
    kind: PeriodKind
    first: date
    last: date  # included

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def dates(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range(self.days)]

    def before(self) -> Period:
        """The period of the same kind just before (a custom one: as many days)."""
        if self.kind is PeriodKind.CUSTOM:
            return Period(self.kind, self.first - timedelta(days=self.days), self.first - DAY)
        return period_of(self.kind, self.first - DAY)

    def after(self) -> Period:
        if self.kind is PeriodKind.CUSTOM:
            return Period(self.kind, self.last + DAY, self.last + timedelta(days=self.days))
        return period_of(self.kind, self.last + DAY)


DAY = timedelta(days=1)


def period_of(kind: PeriodKind, on: date) -> Period:
    """The day, week, month or year that holds `on` (custom: that day alone)."""
    if kind is PeriodKind.WEEK:
        monday = on - timedelta(days=on.weekday())
        return Period(kind, monday, monday + timedelta(days=6))
    if kind is PeriodKind.MONTH:
        first = on.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return Period(kind, first, following - DAY)
    if kind is PeriodKind.YEAR:
        return Period(kind, date(on.year, 1, 1), date(on.year, 12, 31))
    return Period(kind, on, on)


def parse_date(text: str) -> date:
    """A date written as YYYY-MM-DD."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(ErrorCode.NOT_A_DATE, text=text[:40]) from None


def parse_period(
    *, kind: str, today: date, on: str = "", first: str = "", last: str = ""
) -> Period:
    """The period a page or a command asks for: a kind and a date in it (default: today), or
    a custom first and last date."""
    try:
        chosen = PeriodKind(kind or PeriodKind.MONTH)
    except ValueError:
        raise InvalidInput(ErrorCode.NOT_A_PERIOD, text=kind[:20]) from None
    if chosen is not PeriodKind.CUSTOM:
        return period_of(chosen, parse_date(on) if on else today)
    start, end = parse_date(first), parse_date(last)
    if end < start:
        raise InvalidInput(ErrorCode.PERIOD_ENDS_BEFORE_START)
    if end - start >= LONGEST_CUSTOM:
        raise InvalidInput(ErrorCode.PERIOD_TOO_LONG, days=LONGEST_CUSTOM.days)
    return Period(chosen, start, end)


def whole_months(period: Period) -> tuple[date, date] | None:
    """The first days of the first and the last calendar month wholly inside the period
    (None: no month is)."""
    first = period.first
    if first.day != 1:
        first = period_of(PeriodKind.MONTH, first).last + timedelta(days=1)
    last = period.last.replace(day=1)
    if (period.last + timedelta(days=1)).day != 1:
        last = (last - timedelta(days=1)).replace(day=1)
    return (first, last) if first <= last else None
