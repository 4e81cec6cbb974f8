"""A worker's latencies: from the kernel's receive time, summarised a minute at a time."""

from __future__ import annotations

import logging
import random
import time

import pytest
from wdtest.stamps import stamped_pair

from radius.latency import Latencies, arrival
from radius.worker import _ANCILLARY


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_percentiles_are_at_most_5_percent_above_the_exact_ones() -> None:
    rng = random.Random(7)
    values = [rng.lognormvariate(-6, 1.2) for _ in range(20_000)]  # ~2.5 ms, a long tail
    latencies = Latencies()
    for value in values:
        latencies.record("accounting", value)
    ordered = sorted(values)
    for q in (0.5, 0.9, 0.99):
        exact = ordered[int(q * len(ordered))]
        assert latencies.percentile("accounting", q) == pytest.approx(exact, rel=0.05)
        assert latencies.percentile("accounting", q) >= exact  # an upper bound
    assert latencies.percentile("login", 0.5) == 0.0  # nothing answered


def test_the_summary_comes_once_per_interval_and_starts_over(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = Clock()
    latencies = Latencies(interval=60.0, clock=clock)
    for _ in range(99):
        latencies.record("login", 0.002)
    latencies.record("login", 0.400)
    latencies.record("accounting", 0.010)
    with caplog.at_level(logging.INFO, logger="radius.latency"):
        clock.now += 59
        latencies.log_if_due()
        assert not caplog.records
        clock.now += 1
        latencies.log_if_due()
        clock.now += 60
        latencies.log_if_due()  # nothing answered since: no line
    [line] = [r.getMessage() for r in caplog.records]
    assert line.startswith("answered in 60 s: 100 logins p50 2.")
    assert "max 400.0 ms; 1 accounting p50 10.0 ms" in line


def test_a_stopping_worker_logs_what_it_answered_since_its_last_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = Clock()
    latencies = Latencies(interval=60.0, clock=clock)
    latencies.record("accounting", 0.010)
    clock.now += 5
    with caplog.at_level(logging.INFO, logger="radius.latency"):
        latencies.log_if_due(last=True)
    assert [r.getMessage() for r in caplog.records] == [
        "answered in 5 s: 1 accounting p50 10.0 ms p99 10.0 ms max 10.0 ms"
    ]


def test_the_kernels_receive_time_counts_the_wait_in_the_socket() -> None:
    """The time a datagram waited in the socket while the worker was busy is part of what
    the router waits for."""
    with stamped_pair() as (server, router):
        sent = time.time()
        router.sendto(b"x" * 20, server.getsockname())
        time.sleep(0.3)  # the worker is busy
        _, ancdata, _, _ = server.recvmsg(4096, _ANCILLARY)
        received = arrival(ancdata)
        assert sent - 0.05 <= received <= sent + 0.1
        assert time.time() - received >= 0.3
    assert abs(arrival([]) - time.time()) < 0.05  # no stamp: now
