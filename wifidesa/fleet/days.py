"""A router's polls rolled up per local day (its site's zone): polls and answers, round trip,
peaks of CPU load and active users, WAN traffic from counter differences, restarts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from wifidesa.db.models import RouterDay
from wifidesa.fleet.samples import Sample
from wifidesa.localtime import local_day

_N = TypeVar("_N", int, float)


def counter_delta(now: int | None, before: int | None, *, restarted: bool) -> int:
    """Bytes a cumulative counter moved since the previous answer. A counter that went back
    (the router or the interface started again) started over from zero: what it shows now
    is what went through since, never a negative amount."""
    if now is None:
        return 0
    if restarted:
        return now
    if before is None:
        return 0  # no earlier reading: the bytes before this one are not ours to count
    return now if now < before else now - before


class DayRows:
    """The day rows a round touches: read in one query, changed in place, new ones added."""

    def __init__(
        self, *, session: Session, zones: dict[int, str], wanted: Iterable[tuple[int, date]]
    ) -> None:
        self._session = session
        self._zones = zones
        keys = set(wanted)
        self._rows: dict[tuple[int, date], RouterDay] = {}
        if keys:
            query = select(RouterDay).where(
                RouterDay.router_id.in_({router for router, _ in keys}),
                RouterDay.day.in_({day for _, day in keys}),
            )
            self._rows = {(row.router_id, row.day): row for row in session.scalars(query)}

    def row(self, router_id: int, moment: datetime) -> RouterDay:
        key = (router_id, local_day(moment, self._zones[router_id]))
        row = self._rows.get(key)
        if row is None:
            row = self._session.get(RouterDay, key)
        if row is None:
            row = RouterDay(
                router_id=key[0],
                day=key[1],
                polls=0,
                answered=0,
                rtt_count=0,
                rtt_sum_ms=0.0,
                wan_down_bytes=0,
                wan_up_bytes=0,
                restarts=0,
            )
            self._session.add(row)
        self._rows[key] = row
        return row

    def count_poll(self, sample: Sample, *, down_bytes: int, up_bytes: int) -> None:
        """A poll on the day it started; an answer's figures and the traffic since the
        previous answer go to that day too."""
        row = self.row(sample.router_id, sample.at)
        row.polls += 1
        if not sample.reachable:
            return
        row.answered += 1
        if sample.rtt_ms is not None:
            row.rtt_count += 1
            row.rtt_sum_ms += sample.rtt_ms
            row.rtt_max_ms = _larger(row.rtt_max_ms, sample.rtt_ms)
        row.cpu_max = _larger(row.cpu_max, sample.cpu_load)
        row.active_max = _larger(row.active_max, sample.hotspot_active)
        row.wan_down_bytes += down_bytes
        row.wan_up_bytes += up_bytes

    def count_restart(self, router_id: int, booted_at: datetime) -> None:
        """A restart on the day the router started again."""
        self.row(router_id, booted_at).restarts += 1


def _larger(current: _N | None, value: _N | None) -> _N | None:
    if value is None:
        return current
    return value if current is None or value > current else current
