"""Logs grow with time, not with the fault: floods from many sources and runs of failed
batches give a bounded number of lines, and the limiter remembers a bounded number of sources."""

from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import dataclass
from typing import Any

import pytest
from pyrad import packet
from wdtest.radius import RunningRadius, auth_request, client, send_raw

from radius import wire
from radius.batching import Batcher, Item
from radius.ratelimit import RateLimitedLog, RepeatedError

from .conftest import SECRET


@dataclass
class FakeTime:
    now: float = 1000.0

    def __call__(self) -> float:
        return self.now


def _lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "radius.ratelimit"]


def test_a_flood_from_many_sources_gives_a_bounded_log_and_bounded_memory(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = FakeTime()
    limiter = RateLimitedLog(60.0, max_sources=100, max_lines=20, clock=clock)
    with caplog.at_level(logging.WARNING, logger="radius.ratelimit"):
        for minute in range(5):
            for n in range(5000):  # spoofed: a new address almost every packet
                limiter.warning(f"10.{minute}.{n // 256}.{n % 256}", "packet dropped")
                assert len(limiter) <= 100
            clock.now += 61
        limiter.flush()
    lines = _lines(caplog)
    assert len(lines) == 5 * 21  # each minute: 20 lines and one summary
    assert "4980 more reports" in lines[-1] and "(from 10.4.0.20, 10.4.0.21, 10.4.0.22" in lines[-1]


def test_one_source_is_reported_once_a_minute_with_a_count(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = FakeTime()
    limiter = RateLimitedLog(60.0, clock=clock)
    with caplog.at_level(logging.WARNING, logger="radius.ratelimit"):
        for _ in range(120):
            limiter.warning("10.0.0.9", "bad secret from %s", "router-a")
            clock.now += 1
    lines = _lines(caplog)
    assert lines == [
        "[10.0.0.9] bad secret from router-a",
        "[10.0.0.9] bad secret from router-a (59 more since last report)",
    ]


def test_a_run_of_failures_is_one_line_a_summary_per_interval_and_the_end() -> None:
    clock = FakeTime()
    errors = RepeatedError("accounting batch", 10.0, clock=clock)
    with _capture() as records:
        for _ in range(700):  # five seconds of a database outage, and more
            errors.failed(3, "OperationalError: connection refused")
            clock.now += 0.05
        errors.succeeded()
    messages = [r.getMessage() for r in records]
    assert messages[0].startswith("accounting batch of 3 failed, not answered: OperationalError")
    summaries = messages[1:-1]
    assert len(summaries) == 4  # 35 s of failures: one summary per 10 s, one at the end
    assert all(m.startswith("accounting batch: ") for m in summaries)
    assert sum(int(m.split()[2]) for m in summaries) == 699
    assert sum(int(m.split(", ")[1].split()[0]) for m in summaries) == 699 * 3
    assert messages[-1] == "accounting batch: working again"


class _capture:
    def __init__(self, name: str = "radius.ratelimit") -> None:
        self.logger = logging.getLogger(name)

    def __enter__(self) -> list[logging.LogRecord]:
        self.records: list[logging.LogRecord] = []
        self.handler = logging.Handler()
        self.handler.emit = self.records.append  # type: ignore[method-assign]
        self.level = self.logger.level
        self.logger.setLevel(logging.INFO)
        self.logger.addHandler(self.handler)
        return self.records

    def __exit__(self, *_: object) -> None:
        self.logger.removeHandler(self.handler)
        self.logger.setLevel(self.level)


def _item(n: int) -> Item:
    data = bytes([4, n % 256]) + (20).to_bytes(2, "big") + os.urandom(16)
    return Item(
        key=("127.0.0.1", n, data[1], data[4:20]),
        addr=("127.0.0.1", n),
        pkt=wire.Request(data, b"secret", {}),
        request=None,
    )


def test_many_failed_batches_log_a_few_lines_and_none_is_answered() -> None:
    finished: list[Any] = []

    def refuse(_batch: list[Item]) -> Any:
        raise RuntimeError("database is locked")

    async def scenario() -> None:
        tasks: set[asyncio.Future[Any]] = set()
        batcher = Batcher(tasks.add, refuse, lambda b, r: finished.append(r))
        for n in range(700):
            batcher.add(_item(n))
            await asyncio.sleep(0)  # each request its own batch, as under a trickle
        while batcher.running or batcher.items:
            await asyncio.sleep(0.01)

    with _capture("radius.batching") as records:
        asyncio.run(scenario())
    assert len(finished) >= 100 and set(finished) == {None}
    assert 1 <= len(records) <= 3, [r.getMessage() for r in records]


def test_spoofed_sources_flooding_the_server_log_a_bounded_number_of_lines(
    server: RunningRadius, caplog: pytest.LogCaptureFixture
) -> None:
    datagram = bytes([1, 7]) + (20).to_bytes(2, "big") + bytes(16)
    with caplog.at_level(logging.WARNING, logger="radius.ratelimit"):
        for n in range(300):
            source = f"127.1.{n // 250}.{n % 250 + 1}"
            for _ in range(2):
                assert send_raw(server.auth_port, datagram, source=source, timeout=0.01) is None
        with client(server, SECRET) as c:  # still answering, and every drop was seen
            reply = c.SendPacket(auth_request(c, "nobody", "wrong"))
            assert reply.code == packet.AccessReject
    assert server.worker.counts["unknown_source"] == 600
    assert len(_lines(caplog)) <= 21
    assert len(server.worker.problems) <= 21
