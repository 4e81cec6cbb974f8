"""How fast a worker answers, as the router would see it without the network: from the moment
the kernel received the datagram (SO_TIMESTAMPNS) to the moment the answer was sent, so time
spent waiting in the socket while the worker was busy counts too. One line a minute in the log
per worker, for the operator and for `make soak`:

    answered in 60 s: 24,512 accounting p50 1.3 ms p99 23.1 ms max 44.0 ms; 8,190 logins ...

Kept in buckets 5 % apart (a percentile is given as its bucket's upper bound: at most 5 % above
the exact value, never below it; a fifth apart, a p99 of 43 ms read as 51 ms against a goal of
50), so a worker holds a few hundred integers a kind, whatever the traffic.
"""

from __future__ import annotations

import bisect
import logging
import socket
import struct
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

# <asm-generic/socket.h> (x86-64, arm64): not exported by Python's socket module.
SO_TIMESTAMPNS = 35
_TIMESPEC = struct.Struct("@qq")

# Upper bounds of the buckets, seconds: 50 us to ~55 s.
_BOUNDS = [50e-6 * 1.05**i for i in range(286)]

# What each kind of request is called in the summary line, in its order.
NAMES = {"login": "logins", "accounting": "accounting"}


def timestamp_arrivals(sock: socket.socket) -> bool:
    """Ask the kernel to stamp each datagram `sock` receives; False where it cannot."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    except OSError:
        return False
    return True


def arrival(ancdata: list[tuple[int, int, bytes]]) -> float:
    """The kernel's receive time (epoch seconds) from recvmsg's ancillary data, or now."""
    for level, kind, data in ancdata:
        if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(data) >= 16:
            seconds, nanoseconds = _TIMESPEC.unpack_from(data)
            return float(seconds + nanoseconds / 1e9)
    return time.time()


class Latencies:
    """Latencies by kind, summarised and started over every `interval` seconds."""

    def __init__(self, interval: float = 60.0, clock: Callable[[], float] = time.monotonic):
        self.interval, self.clock = interval, clock
        self._since = clock()
        self._counts: dict[str, list[int]] = {}
        self._max: dict[str, float] = {}

    def record(self, kind: str, seconds: float) -> None:
        counts = self._counts.get(kind)
        if counts is None:
            counts = self._counts[kind] = [0] * (len(_BOUNDS) + 1)
        counts[bisect.bisect_left(_BOUNDS, seconds)] += 1
        if seconds > self._max.get(kind, 0.0):
            self._max[kind] = seconds

    def percentile(self, kind: str, q: float) -> float:
        """The upper bound of the bucket holding the q-quantile (seconds); 0 if none."""
        counts = self._counts.get(kind)
        if not counts:
            return 0.0
        rank, seen = q * sum(counts), 0
        for index, count in enumerate(counts):
            seen += count
            if seen >= rank and count:
                bound = _BOUNDS[index] if index < len(_BOUNDS) else self._max[kind]
                return min(bound, self._max[kind])
        return self._max[kind]

    def summary(self) -> str | None:
        """The line for what was answered since the last one, or None if nothing was."""
        parts = []
        for kind, name in NAMES.items():
            total = sum(self._counts.get(kind, ()))
            if total:
                parts.append(
                    f"{total:,} {name} p50 {self.percentile(kind, 0.5) * 1000:.1f} ms"
                    f" p99 {self.percentile(kind, 0.99) * 1000:.1f} ms"
                    f" max {self._max[kind] * 1000:.1f} ms"
                )
        if not parts:
            return None
        return f"answered in {self.clock() - self._since:.0f} s: " + "; ".join(parts)

    def log_if_due(self, *, last: bool = False) -> None:
        """Log the summary at INFO and start over, once `interval` has passed, or now if this is
        the `last` (the worker stops: what it answered since the last line is not lost)."""
        if not last and self.clock() - self._since < self.interval:
            return
        line = self.summary()
        if line is not None:
            log.info("%s", line)
        self._counts.clear()
        self._max.clear()
        self._since = self.clock()
