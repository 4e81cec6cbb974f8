"""Availability the way Indonesian connectivity SLAs count it (BAKTI practice), from the
routers' state intervals (wifidesa.fleet.rounds), per router, site and region, per local day
or month of the site's zone.

- Only backhaul outages longer than 300 s count against availability; shorter ones are
  reported (`short_outage_seconds`) and count as up. The length is the whole outage's, so one
  from 23:50 to 00:20 WITA counts on both days (10 + 20 minutes) though each piece is short.
- Power cuts (the router came back restarted) are reported apart and not charged.
- Central-side incidents are reported apart and not charged to the village.
- Time nobody knows about (never polled, the poller not running, unknown state) is no data,
  neither up nor down.
Availability % = up / (known time - power cuts - central), known time being all but no data.
A site's or region's figure is the sum of its routers' time in each class: every router
weighs by the time it was known (wifidesa.fleet.area_availability).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from wifidesa.db.bulk import one_of_ids
from wifidesa.db.models import (
    OutageCause,
    Router,
    RouterHealth,
    RouterInterval,
    RouterState,
    Site,
)
from wifidesa.fleet.rounds import RoundRules
from wifidesa.localtime import local_day, local_midnight

# BAKTI practice: an outage counts against availability when it lasts longer than this.
SLA_MIN_OUTAGE = timedelta(seconds=300)


class Per(StrEnum):
    DAY = "day"
    MONTH = "month"
    PERIOD = "period"  # the whole span at once, keyed by its first day (statistics pages)


class TimeClass(StrEnum):
    UP = "up"
    SHORT_OUTAGE = "short_outage"  # backhaul, 300 s or less: not charged
    OUTAGE = "outage"  # backhaul, longer than 300 s: charged
    POWER = "power"  # restart-class: reported apart
    CENTRAL = "central"  # our side: reported apart
    NO_DATA = "no_data"


@dataclass(frozen=True)
class Availability:
    """Seconds in each class over a period (one router's, or summed over routers), and the
    outages and power cuts that began in it."""

    up_seconds: float = 0.0
    short_outage_seconds: float = 0.0
    outage_seconds: float = 0.0
    power_seconds: float = 0.0
    central_seconds: float = 0.0
    no_data_seconds: float = 0.0
    outages: int = 0  # charged outages
    power_cuts: int = 0

    def __add__(self, other: Availability) -> Availability:
        # Spelled out: a province's year adds ~16,000 of these, and a loop over
        # dataclasses.fields() took a third of its uptime figures.
        return Availability(
            self.up_seconds + other.up_seconds,
            self.short_outage_seconds + other.short_outage_seconds,
            self.outage_seconds + other.outage_seconds,
            self.power_seconds + other.power_seconds,
            self.central_seconds + other.central_seconds,
            self.no_data_seconds + other.no_data_seconds,
            self.outages + other.outages,
            self.power_cuts + other.power_cuts,
        )

    @property
    def known_seconds(self) -> float:
        return (
            self.up_seconds
            + self.short_outage_seconds
            + self.outage_seconds
            + self.power_seconds
            + self.central_seconds
        )

    @property
    def percent(self) -> float | None:
        """Up / (known - power cuts - central), in percent; None when nothing is known."""
        counted = self.up_seconds + self.short_outage_seconds + self.outage_seconds
        if counted <= 0:
            return None
        return 100.0 * (self.up_seconds + self.short_outage_seconds) / counted

    @property
    def minutes(self) -> dict[TimeClass, float]:
        """Minutes by class, for pages."""
        return {kind: self.seconds(kind) / 60.0 for kind in TimeClass}

    def seconds(self, kind: TimeClass) -> float:
        return float(getattr(self, f"{kind.value}_seconds"))


@dataclass(frozen=True)
class _Piece:
    kind: TimeClass
    start: datetime
    end: datetime
    begins: bool  # the outage or power cut begins here (counted once, where it begins)


def router_availability(
    *,
    session: Session,
    router_ids: Sequence[int],
    first_day: date,
    last_day: date,
    now: datetime,
    per: Per = Per.DAY,
    rules: RoundRules | None = None,
) -> dict[int, dict[date, Availability]]:
    """Each router's availability per local day (or month, keyed by its first day; or the
    whole span, keyed by `first_day`) from `first_day` to `last_day` in its site's zone; time
    after `now` is not counted."""
    zones = _zones(session, router_ids)
    windows = {
        router_id: (
            local_midnight(first_day, zone),
            min(now, local_midnight(last_day + timedelta(days=1), zone)),
        )
        for router_id, zone in zones.items()
    }
    result: dict[int, dict[date, Availability]] = {}
    for router_id, pieces in _pieces(session, windows, now, rules or RoundRules()):
        zone = zones[router_id]
        periods: dict[date, Availability] = defaultdict(Availability)
        if per is Per.PERIOD:
            # Not cut into days: a year of 1,000 routers is 1,000 sums, not 365,000.
            if pieces:
                periods[first_day] = sum((_tally(piece) for piece in pieces), Availability())
            result[router_id] = dict(periods)
            continue
        for piece in pieces:
            for day, part in _split_days(piece, zone):
                key = day if per is Per.DAY else day.replace(day=1)
                periods[key] = periods[key] + part
        result[router_id] = dict(sorted(periods.items()))
    return result


def window_availability(
    *,
    session: Session,
    router_ids: Sequence[int],
    start: datetime,
    end: datetime,
    now: datetime,
    rules: RoundRules | None = None,
) -> dict[int, Availability]:
    """Each router's availability over one stretch of time (the last 30 days of the fleet
    page), not split by day."""
    windows = {router_id: (start, min(end, now)) for router_id in router_ids}
    return {
        router_id: sum((_tally(piece) for piece in pieces), Availability())
        for router_id, pieces in _pieces(session, windows, now, rules or RoundRules())
    }


@dataclass(frozen=True)
class Stretch:
    """A stretch of one router's history in one class, as the router page draws it."""

    kind: TimeClass
    start: datetime
    end: datetime

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


def timeline(
    *,
    session: Session,
    router_id: int,
    start: datetime,
    end: datetime,
    now: datetime,
    rules: RoundRules | None = None,
) -> list[Stretch]:
    """One router's time from `start` to `end` (not past `now`) cut into stretches of one
    class each, oldest first, the gaps between its intervals no data: the same pieces its
    availability is counted from."""
    windows = {router_id: (start, min(end, now))}
    if windows[router_id][1] <= start:
        return []
    stretches: list[Stretch] = []
    for _, pieces in _pieces(session, windows, now, rules or RoundRules()):
        for piece in pieces:
            last = stretches[-1] if stretches else None
            # An unknown interval and the gap after it are one stretch of no data; outages
            # stay apart, each as long as it was.
            if last and last.kind is piece.kind is TimeClass.NO_DATA and last.end == piece.start:
                stretches[-1] = Stretch(piece.kind, stretches[-1].start, piece.end)
            else:
                stretches.append(Stretch(piece.kind, piece.start, piece.end))
    return stretches


def _zones(session: Session, router_ids: Sequence[int]) -> dict[int, str]:
    query = (
        select(Router.id, Site.timezone)
        .join(Site, Site.id == Router.site_id)
        .where(one_of_ids(Router.id, router_ids, session=session))
    )
    return {row.id: row.timezone for row in session.execute(query)}


def _pieces(
    session: Session,
    windows: dict[int, tuple[datetime, datetime]],
    now: datetime,
    rules: RoundRules,
) -> Iterator[tuple[int, list[_Piece]]]:
    """Each router's window cut into classified pieces, the gaps between intervals no data."""
    if not windows:
        return
    earliest = min(start for start, _ in windows.values())
    latest = max(end for _, end in windows.values())
    intervals: dict[int, list[RouterInterval]] = defaultdict(list)
    query = (
        select(RouterInterval)
        .where(
            one_of_ids(RouterInterval.router_id, windows, session=session),
            RouterInterval.started_at < latest,
            or_(RouterInterval.ended_at.is_(None), RouterInterval.ended_at > earliest),
        )
        .order_by(RouterInterval.router_id, RouterInterval.started_at, RouterInterval.id)
    )
    for interval in session.scalars(query):
        intervals[interval.router_id].append(interval)
    last_polls = {
        row.router_id: row.last_poll_at
        for row in session.execute(
            select(RouterHealth.router_id, RouterHealth.last_poll_at).where(
                one_of_ids(RouterHealth.router_id, windows, session=session)
            )
        )
    }
    for router_id, (start, end) in windows.items():
        yield (
            router_id,
            list(
                _classify(
                    intervals[router_id],
                    start,
                    end,
                    open_end(last_polls.get(router_id), now, rules),
                )
            ),
        )


def open_end(
    last_poll: datetime | None, now: datetime, rules: RoundRules | None = None
) -> datetime:
    """Where an interval still open ends: now, or the last poll if the poller has not polled
    the router since (what came after nobody saw). The outage log measures by it too."""
    rules = rules or RoundRules()
    if last_poll is None or now - last_poll <= rules.stale_after:
        return now
    return last_poll


def _classify(
    intervals: list[RouterInterval], start: datetime, end: datetime, open_end: datetime
) -> Iterator[_Piece]:
    cursor = start
    for interval in intervals:
        whole_end = interval.ended_at or max(open_end, interval.started_at)
        kind = _class_of(interval, whole_end)
        piece_start, piece_end = max(interval.started_at, start), min(whole_end, end)
        if piece_end <= piece_start:
            continue
        if piece_start > cursor:
            yield _Piece(TimeClass.NO_DATA, cursor, piece_start, False)
        yield _Piece(kind, piece_start, piece_end, piece_start == interval.started_at)
        cursor = max(cursor, piece_end)
    if end > cursor:
        yield _Piece(TimeClass.NO_DATA, cursor, end, False)


def _class_of(interval: RouterInterval, end: datetime) -> TimeClass:
    if interval.state is RouterState.UP:
        return TimeClass.UP
    if interval.state is RouterState.UNKNOWN:
        return TimeClass.NO_DATA
    if interval.cause is OutageCause.RESTART:
        return TimeClass.POWER
    if interval.cause is OutageCause.CENTRAL:
        return TimeClass.CENTRAL
    if end - interval.started_at > SLA_MIN_OUTAGE:
        return TimeClass.OUTAGE
    return TimeClass.SHORT_OUTAGE


def _split_days(piece: _Piece, zone: str) -> Iterator[tuple[date, Availability]]:
    """A piece cut at each local midnight of `zone`."""
    start, day, begins = piece.start, local_day(piece.start, zone), piece.begins
    while start < piece.end:
        following = day + timedelta(days=1)
        end = min(piece.end, local_midnight(following, zone))
        yield day, _tally(_Piece(piece.kind, start, end, begins))
        start, day, begins = end, following, False


def _tally(piece: _Piece) -> Availability:
    seconds = (piece.end - piece.start).total_seconds()
    return Availability(
        **{f"{piece.kind.value}_seconds": seconds},
        outages=int(piece.begins and piece.kind is TimeClass.OUTAGE),
        power_cuts=int(piece.begins and piece.kind is TimeClass.POWER),
    )
