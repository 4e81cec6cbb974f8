"""Quota arithmetic as properties: periods in WITA, boundaries to the second, month ends."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from wifidesa.db.models import QuotaPeriod
from wifidesa.i18n import format_moment, gettext_for
from wifidesa.usage.quota import (
    Limit,
    Usage,
    block_message,
    period_end,
    period_start,
    quota_status,
    usage_in,
)

WITA = "Asia/Makassar"
IN_BAHASA = gettext_for("id")  # as villagers read it in the RADIUS Reply-Message
days = st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31))
usage_days = st.dictionaries(
    days, st.builds(Usage, st.integers(0, 1 << 40), st.integers(0, 86400)), max_size=40
)


@given(days)
def test_every_day_lies_in_its_periods(today: date) -> None:
    for period in (QuotaPeriod.DAY, QuotaPeriod.WEEK, QuotaPeriod.MONTH):
        start, end = period_start(period, today), period_end(period, today)
        assert start is not None and end is not None
        assert start <= today < end
    assert period_end(QuotaPeriod.DAY, today) - today == timedelta(days=1)
    week = period_start(QuotaPeriod.WEEK, today)
    assert week is not None and week.weekday() == 0  # Monday
    month_end = period_end(QuotaPeriod.MONTH, today)
    assert month_end is not None and month_end.day == 1
    assert (month_end - timedelta(days=1)).day == calendar.monthrange(today.year, today.month)[1]
    assert period_start(QuotaPeriod.TOTAL, today) is None


@given(usage_days, days, st.sampled_from(list(QuotaPeriod)))
def test_usage_in_a_period_sums_exactly_its_days(
    usage: dict[date, Usage], today: date, period: QuotaPeriod
) -> None:
    start, end = period_start(period, today), period_end(period, today)
    expected = sum(
        (
            u.octets
            for d, u in usage.items()
            if (start is None or d >= start) and (end is None or d < end)
        ),
        0,
    )
    assert usage_in(usage, period, today).octets == expected


@given(usage_days, days, st.integers(1, 1 << 41), st.sampled_from(list(QuotaPeriod)))
def test_bytes_left_is_limit_minus_period_usage_never_negative(
    usage: dict[date, Usage], today: date, limit: int, period: QuotaPeriod
) -> None:
    now = datetime(today.year, today.month, today.day, 4, 0, tzinfo=UTC)  # 12:00 WITA
    status = quota_status([Limit(period, limit, None)], usage, now, WITA)
    used = usage_in(usage, period, today).octets
    assert status.bytes_left == max(0, limit - used)
    assert status.over == (used >= limit)


def test_the_day_turns_at_midnight_wita_not_utc() -> None:
    usage = {date(2026, 1, 31): Usage(octets=1000)}
    limits = [Limit(QuotaPeriod.DAY, 1000, None), Limit(QuotaPeriod.MONTH, 5000, None)]
    # 15:59:59 UTC is 23:59:59 WITA on January 31st: the day is used up.
    before = quota_status(limits, usage, datetime(2026, 1, 31, 15, 59, 59, tzinfo=UTC), WITA)
    assert before.over and before.exceeded == limits[0]
    assert before.resets_at == datetime(2026, 1, 31, 16, 0, tzinfo=UTC)
    # One second later it is February 1st in Kaltim: a new day and a new month.
    after = quota_status(limits, usage, datetime(2026, 1, 31, 16, 0, 0, tzinfo=UTC), WITA)
    assert not after.over and after.bytes_left == 1000


def test_a_used_up_month_outlasts_the_day_in_the_message() -> None:
    usage = {date(2026, 2, 10): Usage(octets=4000), date(2026, 2, 20): Usage(octets=1000)}
    limits = [Limit(QuotaPeriod.DAY, 1000, None), Limit(QuotaPeriod.MONTH, 5000, None)]
    status = quota_status(limits, usage, datetime(2026, 2, 20, 10, 0, tzinfo=UTC), WITA)
    assert status.exceeded == limits[1]
    assert status.resets_at == datetime(2026, 2, 28, 16, 0, tzinfo=UTC)


def test_on_the_last_day_of_the_month_the_month_is_named() -> None:
    usage = {date(2026, 2, 27): Usage(octets=4000), date(2026, 2, 28): Usage(octets=1000)}
    limits = [Limit(QuotaPeriod.DAY, 1000, None), Limit(QuotaPeriod.MONTH, 5000, None)]
    status = quota_status(limits, usage, datetime(2026, 2, 28, 10, 0, tzinfo=UTC), WITA)
    assert status.exceeded == limits[1]
    assert block_message(status, WITA).render(IN_BAHASA) == (
        "Kuota bulanan Anda sudah habis. Bisa dipakai lagi mulai 1 Maret 2026 pukul 00.00 WITA."
    )


def test_time_quota_and_total_quota() -> None:
    usage = {date(2026, 3, 1): Usage(octets=10, seconds=1700)}
    status = quota_status(
        [Limit(QuotaPeriod.DAY, None, 1800)], usage, datetime(2026, 3, 1, 1, 0, tzinfo=UTC), WITA
    )
    assert (status.seconds_left, status.bytes_left, status.over) == (100, None, False)
    total = quota_status(
        [Limit(QuotaPeriod.TOTAL, 10, None)], usage, datetime(2027, 1, 1, tzinfo=UTC), WITA
    )
    assert total.over and total.resets_at is None
    assert block_message(total, WITA).render(IN_BAHASA) == "Kuota total Anda sudah habis."


def test_reset_time_in_other_indonesian_zones() -> None:
    moment = datetime(2026, 8, 16, 17, 0, tzinfo=UTC)
    assert (
        format_moment(moment=moment, zone="Asia/Jakarta", gettext=IN_BAHASA)
        == "17 Agustus 2026 pukul 00.00 WIB"
    )
    assert (
        format_moment(moment=moment, zone="Asia/Jayapura", gettext=IN_BAHASA)
        == "17 Agustus 2026 pukul 02.00 WIT"
    )
