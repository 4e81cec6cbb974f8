"""Drive a `Fuzzer` against a server through a simulated router, with good accounting in
between: bursts of hostile packets, each followed by one valid accounting record of a real
session (sent, and resent on timeout, as RouterOS does). The report says how many packets of
each kind went out, which Access-Accepts the oracle calls wrong, and whether every good record
was acknowledged; the caller checks what was stored (`GoodTraffic.expected`).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter, deque
from contextlib import AsyncExitStack
from dataclasses import dataclass, field

from radius.dictionary import Code
from radius.simulator.channel import RawChannel
from radius.simulator.fuzz import Fuzzer
from radius.simulator.requests import SimSession
from radius.simulator.router import RouterSimulator

_KEPT_BURSTS = 4  # a late reply still finds its burst's socket open this many bursts later


@dataclass
class FuzzReport:
    seed: int
    sent: int = 0
    families: Counter[str] = field(default_factory=Counter)
    mutations: Counter[str] = field(default_factory=Counter)
    replies: Counter[str] = field(default_factory=Counter)  # by reply code name
    wrong_accepts: list[str] = field(default_factory=list)  # mutation and request bytes (hex)
    unmatched_accepts: int = 0  # an Access-Accept that answers none of our requests
    good_sent: int = 0
    good_acknowledged: int = 0
    good_retransmissions: int = 0
    elapsed: float = 0.0

    def summary(self) -> str:
        rate = self.sent / self.elapsed if self.elapsed else 0.0
        replies = ", ".join(f"{k} {v}" for k, v in sorted(self.replies.items()))
        return (
            f"seed {self.seed}: {self.sent} fuzzed packets in {self.elapsed:.1f} s"
            f" ({rate:.0f}/s; {dict(sorted(self.families.items()))});"
            f" replies: {replies or 'none'}; wrong accepts {len(self.wrong_accepts)},"
            f" unmatched accepts {self.unmatched_accepts};"
            f" good accounting {self.good_acknowledged}/{self.good_sent} acknowledged"
            f" ({self.good_retransmissions} resent)"
        )


@dataclass
class Expected:
    """What the router reported last for one good session: the server must hold exactly this."""

    username: str
    class_: bytes | None
    input_octets: int = 0
    output_octets: int = 0
    session_time: int = 0
    stopped: bool = False


class GoodTraffic:
    """Valid accounting for logged-in sessions, one record per `step()`: Start, interims, Stop,
    then a new session for the same login (a new Acct-Session-Id, the same Class)."""

    def __init__(self, router: RouterSimulator, sessions: list[SimSession], interims: int = 3):
        self.router = router
        self.interims = interims
        self.expected: dict[str, Expected] = {}
        self._live = [(s, 0) for s in sessions]  # (session, records sent so far)
        self._turn = 0

    async def step(self, report: FuzzReport) -> None:
        index = self._turn % len(self._live)
        self._turn += 1
        session, done = self._live[index]
        router = self.router
        expected = self.expected.setdefault(
            session.acct_session_id, Expected(session.username, session.class_)
        )
        if done == 0:
            result = await router.start(session)
        else:
            # Growing totals, as a router reports them, past 2^32 (into the Gigawords).
            up, down, seconds = (
                done * (7_000_000 + 2**32 // 3),
                done * (50_000_000 + 2**32),
                done * 300,
            )
            if done <= self.interims:
                result = await router.interim(
                    session, input_octets=up, output_octets=down, session_time=seconds
                )
            else:
                result = await router.stop(
                    session, input_octets=up, output_octets=down, session_time=seconds
                )
                expected.stopped = True
            expected.input_octets, expected.output_octets = up, down
            expected.session_time = seconds
        report.good_sent += 1
        report.good_acknowledged += result.acknowledged
        report.good_retransmissions += result.retransmissions
        if expected.stopped:
            fresh = router.new_session(session.username, mac=session.mac, ip=session.ip)
            fresh.class_ = session.class_
            self._live[index] = (fresh, 0)
        else:
            self._live[index] = (session, done + 1)

    async def finish(self, report: FuzzReport) -> None:
        """Stop every session still open, so each ends stored as closed."""
        for _ in range(len(self._live) * (self.interims + 2)):
            if all(done == 0 for _, done in self._live):
                return
            index = self._turn % len(self._live)
            if self._live[index][1] == 0:
                self._turn += 1
                continue
            await self.step(report)


def _check_accepts(
    fuzzer: Fuzzer, report: FuzzReport, replies: list[bytes], sent: list[tuple[bytes, str]]
) -> None:
    for reply in replies:
        try:
            report.replies[Code(reply[0]).name] += 1
        except (IndexError, ValueError):
            report.replies[f"code {reply[:1].hex()}"] += 1
        if not reply or reply[0] != Code.ACCESS_ACCEPT:
            continue
        answered = [(data, how) for data, how in sent if fuzzer.answers(data, reply)]
        if not answered:
            report.unmatched_accepts += 1
        for data, how in answered:
            if not fuzzer.may_accept(data):
                report.wrong_accepts.append(f"{how}: {data.hex()}")


async def run_fuzz(
    router: RouterSimulator,
    fuzzer: Fuzzer,
    *,
    packets: int,
    good: GoodTraffic | None = None,
    burst: int = 100,
    settle: float = 1.0,
) -> FuzzReport:
    """Send `packets` fuzzed packets in bursts of `burst` (at most 256: the Identifiers of a
    burst are distinct), one good record after each burst; then wait `settle` seconds for late
    replies, finish the good sessions and return the report."""
    burst = max(1, min(burst, 256))
    report = FuzzReport(seed=fuzzer.seed)
    started = time.monotonic()
    kept: deque[tuple[AsyncExitStack, dict[str, RawChannel], list[tuple[bytes, str]]]] = deque()

    def check(channels: dict[str, RawChannel], sent: list[tuple[bytes, str]]) -> None:
        for channel in channels.values():
            _check_accepts(fuzzer, report, channel.drain(), sent)

    try:
        while report.sent < packets:
            stack = AsyncExitStack()
            channels = {
                port: await stack.enter_async_context(router.raw_channel(port))
                for port in ("auth", "acct")
            }
            sent: list[tuple[bytes, str]] = []
            kept.append((stack, channels, sent))
            for ident in range(min(burst, packets - report.sent)):
                packet = fuzzer.next(ident)
                channels[packet.port].send(packet.data)
                sent.append((packet.data, f"{packet.family}/{packet.mutation}"))
                report.sent += 1
                report.families[packet.family] += 1
                report.mutations[packet.mutation] += 1
            if good is not None:
                await good.step(report)
            else:
                await asyncio.sleep(0)
            for _, old_channels, old_sent in kept:
                check(old_channels, old_sent)
            while len(kept) > _KEPT_BURSTS:
                old_stack, old_channels, old_sent = kept.popleft()
                check(old_channels, old_sent)
                await old_stack.aclose()
        await asyncio.sleep(settle)
        if good is not None:
            await good.finish(report)
    finally:
        while kept:
            stack, channels, sent = kept.popleft()
            check(channels, sent)
            await stack.aclose()
    report.elapsed = time.monotonic() - started
    return report
