"""Periods are whole local days: ISO weeks from Monday, calendar months and years, custom dates
within three years; bad input is refused with its own message."""

from __future__ import annotations

from datetime import date

import pytest

from wifidesa.errors import ErrorCode, InvalidInput
from wifidesa.stats.periods import Period, PeriodKind, parse_period, period_of

TODAY = date(2026, 12, 6)  # a Sunday


def test_a_week_runs_monday_to_sunday() -> None:
    week = period_of(PeriodKind.WEEK, TODAY)
    assert (week.first, week.last, week.days) == (date(2026, 11, 30), TODAY, 7)
    assert week.before().first == date(2026, 11, 23)
    assert week.after().first == date(2026, 12, 7)


def test_months_know_their_length_and_february_in_a_leap_year() -> None:
    assert period_of(PeriodKind.MONTH, date(2028, 2, 10)).last == date(2028, 2, 29)
    december = period_of(PeriodKind.MONTH, TODAY)
    assert (december.first, december.last) == (date(2026, 12, 1), date(2026, 12, 31))
    assert december.after() == Period(PeriodKind.MONTH, date(2027, 1, 1), date(2027, 1, 31))
    assert december.before().first == date(2026, 11, 1)


def test_a_year_and_a_day() -> None:
    assert period_of(PeriodKind.YEAR, TODAY).days == 365
    assert parse_period(kind="day", today=TODAY) == Period(PeriodKind.DAY, TODAY, TODAY)


def test_a_custom_period_shifts_by_its_own_length() -> None:
    custom = parse_period(kind="custom", today=TODAY, first="2026-11-01", last="2026-11-10")
    assert custom.days == 10
    assert custom.before() == Period(PeriodKind.CUSTOM, date(2026, 10, 22), date(2026, 10, 31))


def test_the_default_is_this_month() -> None:
    assert parse_period(kind="", today=TODAY).first == date(2026, 12, 1)
    assert parse_period(kind="month", today=TODAY, on="2026-02-14").last == date(2026, 2, 28)


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"kind": "fortnight"}, ErrorCode.NOT_A_PERIOD),
        ({"kind": "day", "on": "6/12/2026"}, ErrorCode.NOT_A_DATE),
        (
            {"kind": "custom", "first": "2026-12-02", "last": "2026-12-01"},
            ErrorCode.PERIOD_ENDS_BEFORE_START,
        ),
        (
            {"kind": "custom", "first": "2020-01-01", "last": "2026-12-01"},
            ErrorCode.PERIOD_TOO_LONG,
        ),
        ({"kind": "custom", "first": "", "last": "2026-12-01"}, ErrorCode.NOT_A_DATE),
    ],
)
def test_bad_periods_are_refused_with_their_reason(fields: dict[str, str], code: ErrorCode) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_period(today=TODAY, **fields)
    assert refused.value.code is code
