"""A session's span cut into local days and hours of its site's zone.

Statistics spread each session evenly over its span [started_at, started_at + session_time):
an evening session that crosses local midnight counts on both days, in the hours it was online.

Everything is whole seconds (the start is floored; the router counts whole seconds too) and
integer octets. A session's per-day shares sum exactly to its totals, so a rollup kept up to
date row by row equals a full recomputation from the stored sessions, to the octet, and the two
can be compared for equality; float shares would drift apart in the last digits.

The span is cut at every UTC quarter-hour: every offset in use today (+05:30, +05:45, +08:45,
DST shifts) is a multiple of 15 minutes and changes on such a boundary, so each piece lies in
one local hour. A quarter where that does not hold (old local mean times, or St. John's clocks
changing at 00:01 until 2011) is found and split second by second, once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

_QUARTER = 15 * 60
_LONGEST = 2**31 - 1  # session_time is a 32-bit RADIUS counter; more is nonsense
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SECOND = timedelta(seconds=1)

# One local hour of the span: (first UTC second, end UTC second, local day ordinal, hour).
_Run = tuple[int, int, int, int]


@dataclass(frozen=True)
class Share:
    """What one session contributes to one local day."""

    seconds: int
    hours: tuple[int, ...]  # 24 entries: seconds online in local hours 0..23; sum == seconds
    input_octets: int
    output_octets: int


def spread(
    *, started_at: datetime, seconds: int, input_octets: int, output_octets: int, zone: str
) -> dict[date, Share]:
    """A session's seconds and octets per local day of `zone`, days in order.

    `started_at` (aware) is floored to the whole second and `seconds` clamped to
    [0, 2^31 - 1]; negative octets count as 0, since a router's bad counter should not stop a
    rollup. Octets are shared in proportion to seconds by the largest-remainder method (ties to
    the earlier day), so each share is within 1 of its exact proportion and they sum exactly
    to the totals. A zero-length session gives its start day all the octets and no seconds.
    """
    start, end = _bounds(started_at, seconds)
    input_octets, output_octets = max(input_octets, 0), max(output_octets, 0)
    by_day = _hours_by_day(start, end, zone)
    if not by_day:
        day = _local(start, ZoneInfo(zone))[0]
        return {date.fromordinal(day): Share(0, (0,) * 24, input_octets, output_octets)}
    days = sorted(by_day)  # a clock turned back over midnight can return to the day before
    weights = [sum(by_day[day]) for day in days]
    inputs = _largest_remainder(input_octets, weights)
    outputs = _largest_remainder(output_octets, weights)
    return {
        date.fromordinal(day): Share(weight, tuple(by_day[day]), sent, received)
        for day, weight, sent, received in zip(days, weights, inputs, outputs, strict=True)
    }


def local_days(*, started_at: datetime, seconds: int, zone: str) -> list[date]:
    """The local days of `zone` a span touches, in order: the keys `spread` gives.

    Same flooring and clamping as `spread`; a zero-length span touches its start day. The days
    are consecutive, except across a date a zone skipped (Samoa dropped 30 December 2011).
    """
    start, end = _bounds(started_at, seconds)
    days = sorted(_hours_by_day(start, end, zone)) or [_local(start, ZoneInfo(zone))[0]]
    return [date.fromordinal(day) for day in days]


def _bounds(started_at: datetime, seconds: int) -> tuple[int, int]:
    """The span as whole UTC epoch seconds [start, end)."""
    if started_at.tzinfo is None:
        raise ValueError("naive datetime given; use an aware UTC datetime")
    # Floor division by a timedelta is exact integer arithmetic (timestamp() is a float).
    start = (started_at - _EPOCH) // _SECOND
    return start, start + min(max(seconds, 0), _LONGEST)


def _hours_by_day(start: int, end: int, zone: str) -> dict[int, list[int]]:
    """Seconds of [start, end) per local day ordinal, as 24 per-hour counts."""
    by_day: dict[int, list[int]] = {}
    moment = start
    while moment < end:
        quarter = moment // _QUARTER
        stop = min(end, (quarter + 1) * _QUARTER)
        for first, after, day, hour in _quarter_runs(zone, quarter):
            # Conditionals rather than min()/max(): this is the inner loop of a province's day.
            piece = (after if after < stop else stop) - (first if first > moment else moment)
            if piece > 0:
                hours = by_day.get(day)
                if hours is None:
                    hours = by_day[day] = [0] * 24
                hours[hour] += piece
        moment = stop
    return by_day


# A province's sessions of one day share a few hundred quarters, so nearly every piece is a
# cache hit rather than a time-zone conversion; the bound keeps a long-lived process small.
@lru_cache(maxsize=1 << 16)
def _quarter_runs(zone: str, quarter: int) -> tuple[_Run, ...]:
    """One UTC quarter-hour as runs of seconds lying in one local hour each (nearly always one)."""
    tz = ZoneInfo(zone)
    first, last = quarter * _QUARTER, (quarter + 1) * _QUARTER - 1
    head, tail = _local(first, tz), _local(last, tz)
    # The same offset at both ends means no clock change inside (none come 15 minutes apart),
    # so local time runs straight and the same hour at both ends holds for the whole quarter.
    if head == tail:
        return ((first, last + 1, head[0], head[1]),)
    runs: list[_Run] = []
    run_start, where = first, head
    for moment in range(first + 1, last + 2):
        now = _local(moment, tz) if moment <= last else None
        if now != where:
            runs.append((run_start, moment, where[0], where[1]))
            if now is not None:
                run_start, where = moment, now
    return tuple(runs)


def _local(moment: int, tz: ZoneInfo) -> tuple[int, int, timedelta | None]:
    """Local day ordinal, hour and offset of a UTC epoch second."""
    local = datetime.fromtimestamp(moment, tz)
    return local.toordinal(), local.hour, local.utcoffset()


def _largest_remainder(total: int, weights: list[int]) -> list[int]:
    """`total` in integer shares proportional to `weights` (sum > 0), summing exactly to it."""
    if len(weights) == 1:  # most sessions lie within one day
        return [total]
    whole = sum(weights)
    shares: list[int] = []
    remainders: list[tuple[int, int]] = []
    for index, weight in enumerate(weights):
        share, remainder = divmod(total * weight, whole)
        shares.append(share)
        remainders.append((-remainder, index))  # largest remainder first, then earlier day
    for _, index in sorted(remainders)[: total - sum(shares)]:
        shares[index] += 1
    return shares
