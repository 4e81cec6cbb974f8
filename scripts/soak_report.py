"""The soak's outcomes (scripts/soak.py): per-minute latencies and losses as the load generator
saw them, and the RADIUS workers' own minute lines from the services' log."""

from __future__ import annotations

import argparse
import math
import re
import statistics
import time
from array import array
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass
class Stats:
    """Outcomes by minute and kind: latencies (ms) of answered requests, and lost ones."""

    started: float = field(default_factory=time.monotonic)
    wall: datetime = field(default_factory=datetime.now)  # as the services' log lines read
    # Arrays, not lists: a full collection walks every item of a list, and millions of floats
    # made this process's own pauses longer each minute (loop lag p99 30 -> 111 ms in 10).
    latencies: dict[tuple[int, str], array[float]] = field(
        default_factory=lambda: defaultdict(lambda: array("d"))
    )
    lost: dict[tuple[int, str], int] = field(default_factory=lambda: defaultdict(int))
    wal: dict[int, int] = field(default_factory=dict)  # minute -> largest WAL size seen
    # pid -> minute -> RSS (KiB) at the end of that minute
    rss: dict[int, dict[int, int]] = field(default_factory=lambda: defaultdict(dict))

    def minute(self) -> int:
        return int((time.monotonic() - self.started) // 60)

    def note(self, kind: str, sent: float, answered: bool) -> None:
        """A request sent at `sent` (monotonic) that has just been answered, or not."""
        self.waited(kind, time.monotonic() - sent if answered else None)

    def waited(self, kind: str, seconds: float | None, at: float | None = None) -> None:
        """A request answered after `seconds`, or lost (None); sent at `at` (monotonic), or
        just now."""
        minute = self.minute() if at is None else int((at - self.started) // 60)
        key = (minute, kind)
        if seconds is not None:
            self.latencies[key].append(seconds * 1000)
        else:
            self.lost[key] += 1


def percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def report(stats: Stats, args: argparse.Namespace) -> bool:
    """Print the table; True if every minute met the bounds. Logins and accounting are timed as
    the router waits (radius.simulator.channel: from its first send to the reply's arrival at
    its socket), pages from the request to the end of the response (scripts/soak_web.py)."""
    ok = True
    header = (
        f"{'min':>3} {'RADIUS req':>10} {'answered':>9} {'login p50/p99 ms':>17}"
        f" {'acct p50/p99 ms':>16} {'web req':>7} {'web ok':>7} {'web p50/p99 ms':>15}"
        f" {'WAL MiB':>8} {'own lag p50/p99':>16}"
    )
    print(header)
    for minute in range(args.minutes):
        lat = {
            kind: stats.latencies.get((minute, kind), [])
            for kind in ("login", "acct", "web", "lag")
        }
        lost = {kind: stats.lost.get((minute, kind), 0) for kind in ("login", "acct", "web")}
        radius = len(lat["login"]) + len(lat["acct"]) + lost["login"] + lost["acct"]
        answered = 100.0 * (len(lat["login"]) + len(lat["acct"])) / radius if radius else 0.0
        web_total = len(lat["web"]) + lost["web"]
        web_ok = 100.0 * len(lat["web"]) / web_total if web_total else 0.0
        wal_mib = stats.wal.get(minute, 0) / 2**20

        def pair(values: Sequence[float]) -> str:
            return f"{percentile(values, 0.5):.1f} / {percentile(values, 0.99):.1f}"

        print(
            f"{minute + 1:>3} {radius:>10} {answered:>8.2f}% {pair(lat['login']):>17}"
            f" {pair(lat['acct']):>16} {web_total:>7} {web_ok:>6.1f}% {pair(lat['web']):>15}"
            f" {wal_mib:>8.1f} {pair(lat['lag']):>16}"
        )
        if radius == 0 or answered < args.min_answered or web_ok < args.min_answered:
            ok = False
        if wal_mib > args.wal_limit_mib:
            ok = False
        if any(percentile(lat[kind], 0.99) > args.p99_ms for kind in ("login", "acct", "web")):
            ok = False
    radius_kinds = ("login", "acct")
    all_ms = [v for (m, kind), vs in stats.latencies.items() if kind in radius_kinds for v in vs]
    if all_ms:
        print(
            f"RADIUS overall: p50 {statistics.median(all_ms):.1f} ms,"
            f" p99 {percentile(all_ms, 0.99):.1f} ms over {len(all_ms)} answered"
        )
    return ok


_LATENCY_LINE = re.compile(
    r"^(\S+ \S+) radius\[(\d+)\] INFO radius\.latency: answered in \d+ s: (.*)$", re.M
)
_P99 = re.compile(r"p99 ([\d.]+) ms")


def server_side(log_text: str, stats: Stats, args: argparse.Namespace) -> bool:
    """The workers' own minute lines (radius.latency: from the kernel's arrival to the answer,
    so without this load generator's delays); True if no p99 of a minute spent wholly under
    the soak's load (not the calibration's) passed `--p99-ms`."""
    print("server side, each worker's minutes (from arrival in the kernel to the answer):")
    ok, judged = True, 0
    for when, worker, figures in _LATENCY_LINE.findall(log_text):
        logged = datetime.strptime(when, "%Y-%m-%d %H:%M:%S,%f")
        under_load = logged - timedelta(seconds=60) >= stats.wall
        print(f"  {when[11:19]} worker {worker}: {figures}{'' if under_load else ' (calibration)'}")
        if under_load:
            judged += 1
            if any(float(p99) > args.p99_ms for p99 in _P99.findall(figures)):
                ok = False
    if not judged:
        print("  (no minute under the soak's load in the log)")
    return ok and judged > 0


def print_resources(
    start: dict[int, tuple[str, int | None, int | None]],
    end: dict[int, tuple[str, int | None, int | None]],
    minutes: dict[int, dict[int, int]],
    cpu: dict[int, float],
) -> None:
    """Per process: RSS at start, at the end of each minute and at the end; open file
    descriptors at start and end; the share of one core it used over the soak."""
    print(f"{'pid':>7} {'process':<34} {'cpu %':>5} {'fds':>7}  RSS MiB: start | each minute | end")
    for pid in sorted(set(start) | set(end)):
        name = (start.get(pid) or end.get(pid) or ("?", None, None))[0]
        rss = [s[1] if s else None for s in (start.get(pid), end.get(pid))]
        fds = [s[2] if s else None for s in (start.get(pid), end.get(pid))]

        def fmt(values: Sequence[int | None], scale: float, sep: str) -> str:
            return sep.join("-" if v is None else f"{v / scale:.0f}" for v in values)

        series = [minutes.get(pid, {}).get(m) for m in sorted(minutes.get(pid, {}))]
        share = f"{100 * cpu[pid]:.0f}" if pid in cpu else "-"
        print(
            f"{pid:>7} {name:<34} {share:>5} {fmt(fds, 1, '/'):>7}  {fmt(rss[:1], 1024, '')} |"
            f" {fmt(series, 1024, ' ')} | {fmt(rss[1:], 1024, '')}"
        )
