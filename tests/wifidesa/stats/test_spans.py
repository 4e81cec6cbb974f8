"""A session's span cut into local days and hours: exact integer shares, any zone, any clock."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wifidesa.stats.spans import Share, local_days, spread

WITA = "Asia/Makassar"
ZONES = (
    WITA,
    "Asia/Jakarta",
    "Asia/Jayapura",
    "Asia/Kolkata",
    "America/New_York",
    "Australia/Lord_Howe",
)
starts = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2060, 1, 1), timezones=st.just(UTC)
)
octets = st.integers(0, 2**50)


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, micro: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, micro, tzinfo=UTC)


def hours(**seconds: int) -> tuple[int, ...]:
    """24 hour counts from h0=..., h23=... keywords."""
    counts = [0] * 24
    for name, value in seconds.items():
        counts[int(name[1:])] = value
    return tuple(counts)


def per_second(started_at: datetime, seconds: int, zone: str) -> dict[date, tuple[int, ...]]:
    """The slow, obvious answer: every second of the span converted to local time on its own."""
    tz, start = ZoneInfo(zone), started_at.replace(microsecond=0)
    counts: defaultdict[date, list[int]] = defaultdict(lambda: [0] * 24)
    for offset in range(seconds):
        local = (start + timedelta(seconds=offset)).astimezone(tz)
        counts[local.date()][local.hour] += 1
    return {day: tuple(counts[day]) for day in sorted(counts)}


def test_a_session_across_wita_midnight_counts_half_on_each_day() -> None:
    days = spread(
        started_at=utc(2026, 3, 10, 15, 30),  # 23:30 WITA
        seconds=3600,
        input_octets=1_000_000,
        output_octets=3,
        zone=WITA,
    )
    assert days == {
        date(2026, 3, 10): Share(1800, hours(h23=1800), 500_000, 2),
        date(2026, 3, 11): Share(1800, hours(h0=1800), 500_000, 1),  # the tie went to day one
    }


def test_the_hour_new_york_repeats_in_the_fall_holds_both_passes() -> None:
    # 2026-11-01: 01:00-02:00 EDT (05:00-06:00 UTC), then 01:00-02:00 EST again.
    days = spread(
        started_at=utc(2026, 11, 1, 5),
        seconds=7200,
        input_octets=10,
        output_octets=20,
        zone="America/New_York",
    )
    assert days == {date(2026, 11, 1): Share(7200, hours(h1=7200), 10, 20)}


def test_the_hour_new_york_skips_in_the_spring_stays_empty() -> None:
    # 2026-03-08: 01:00 EST is 06:00 UTC; at 07:00 UTC clocks jump from 02:00 to 03:00.
    days = spread(
        started_at=utc(2026, 3, 8, 6),
        seconds=7200,
        input_octets=0,
        output_octets=0,
        zone="America/New_York",
    )
    assert days == {date(2026, 3, 8): Share(7200, hours(h1=3600, h3=3600), 0, 0)}


def test_kolkata_midnight_falls_on_the_half_hour_utc() -> None:
    days = spread(
        started_at=utc(2026, 1, 5, 18, 15),
        seconds=1800,
        input_octets=7,
        output_octets=0,
        zone="Asia/Kolkata",
    )
    assert days == {
        date(2026, 1, 5): Share(900, hours(h23=900), 4, 0),
        date(2026, 1, 6): Share(900, hours(h0=900), 3, 0),
    }


@pytest.mark.parametrize("seconds", [0, -5])
def test_a_zero_length_session_gives_its_start_day_all_the_octets(seconds: int) -> None:
    started_at = utc(2026, 1, 5, 16, 0, 0, 500_000)  # 00:00:00.5 WITA on the 6th
    days = spread(
        started_at=started_at, seconds=seconds, input_octets=123, output_octets=456, zone=WITA
    )
    assert days == {date(2026, 1, 6): Share(0, (0,) * 24, 123, 456)}
    assert local_days(started_at=started_at, seconds=seconds, zone=WITA) == [date(2026, 1, 6)]


def test_the_start_is_floored_to_the_whole_second() -> None:
    # 23:59:59.999999 WITA plus one second ends at midnight: the next day gets nothing.
    started_at = utc(2026, 1, 5, 15, 59, 59, 999_999)
    days = spread(started_at=started_at, seconds=1, input_octets=9, output_octets=9, zone=WITA)
    assert days == {date(2026, 1, 5): Share(1, hours(h23=1), 9, 9)}


def test_negative_octets_count_as_nothing() -> None:
    days = spread(
        started_at=utc(2026, 1, 5),
        seconds=60,
        input_octets=-1,
        output_octets=-(2**40),
        zone=WITA,
    )
    assert days == {date(2026, 1, 5): Share(60, hours(h8=60), 0, 0)}


def test_a_naive_start_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        spread(
            started_at=datetime(2026, 1, 5), seconds=1, input_octets=0, output_octets=0, zone=WITA
        )


@given(
    started_at=starts,
    seconds=st.integers(0, 3 * 86400),
    input_octets=octets,
    output_octets=octets,
    zone=st.sampled_from(ZONES),
)
def test_shares_add_up_exactly_over_consecutive_local_days(
    started_at: datetime, seconds: int, input_octets: int, output_octets: int, zone: str
) -> None:
    days = spread(
        started_at=started_at,
        seconds=seconds,
        input_octets=input_octets,
        output_octets=output_octets,
        zone=zone,
    )
    shares = list(days.values())
    assert sum(share.seconds for share in shares) == seconds
    assert all(len(share.hours) == 24 and sum(share.hours) == share.seconds for share in shares)
    assert sum(share.input_octets for share in shares) == input_octets
    assert sum(share.output_octets for share in shares) == output_octets
    for share in shares:
        if seconds:  # within 1 of the exact proportion, in integers: |share - total*s/S| < 1
            assert abs(share.input_octets * seconds - input_octets * share.seconds) < seconds
            assert abs(share.output_octets * seconds - output_octets * share.seconds) < seconds
    tz = ZoneInfo(zone)
    start = started_at.replace(microsecond=0)
    last = start + timedelta(seconds=max(seconds - 1, 0))
    first_day, last_day = start.astimezone(tz).date(), last.astimezone(tz).date()
    assert list(days) == [
        first_day + timedelta(days=n) for n in range((last_day - first_day).days + 1)
    ]
    assert list(days) == local_days(started_at=started_at, seconds=seconds, zone=zone)


@settings(max_examples=40, deadline=None)
@given(
    started_at=starts,
    seconds=st.integers(0, 3 * 3600),
    zone=st.sampled_from((*ZONES, "Asia/Kathmandu", "Australia/Eucla")),
)
def test_hours_match_converting_every_second(started_at: datetime, seconds: int, zone: str) -> None:
    days = spread(
        started_at=started_at, seconds=seconds, input_octets=0, output_octets=0, zone=zone
    )
    expected = per_second(started_at, seconds, zone)
    assert {day: share.hours for day, share in days.items() if share.seconds} == expected


@pytest.mark.parametrize(
    ("zone", "started_at"),
    [
        ("America/New_York", utc(2026, 11, 1, 5, 40)),
        ("America/New_York", utc(2026, 3, 8, 6, 40)),
        ("Australia/Lord_Howe", utc(2026, 4, 4, 14, 40)),  # falls back half an hour
        ("Australia/Lord_Howe", utc(2026, 10, 3, 15, 10)),  # springs forward half an hour
        ("America/St_Johns", utc(2010, 11, 7, 2, 20)),  # 00:01 back to 23:01 the day before
        ("America/St_Johns", utc(2010, 3, 14, 3, 20)),  # 00:01 on to 01:01
        ("Pacific/Apia", utc(2011, 12, 30, 9, 30)),  # 30 December 2011 never happened
        ("Africa/Monrovia", utc(1960, 1, 1, 0, 0)),  # -00:44:30
        ("Africa/Monrovia", utc(1972, 1, 7, 0, 30)),  # -00:44:30 to UTC
        ("Asia/Makassar", utc(1900, 1, 1, 15, 0)),  # local mean time, +07:57:36
    ],
)
def test_clock_changes_and_odd_offsets_match_converting_every_second(
    zone: str, started_at: datetime
) -> None:
    days = spread(
        started_at=started_at, seconds=2 * 3600, input_octets=0, output_octets=0, zone=zone
    )
    assert {day: share.hours for day, share in days.items()} == per_second(
        started_at, 2 * 3600, zone
    )
    assert list(days) == local_days(started_at=started_at, seconds=2 * 3600, zone=zone)
