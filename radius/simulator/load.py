"""Many hotspot clients through one simulated router, for load runs and `wifidesa simulate`:
each logs in with a voucher code, then sends Start, Interim-Updates and a Stop.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from radius.simulator.router import AcctResult, RouterSimulator


@dataclass
class SimReport:
    clients: int = 0
    accepted: int = 0
    rejected: int = 0
    reject_reasons: Counter[str] = field(default_factory=Counter)
    timeouts: int = 0
    unfinished: int = 0  # cut off by the time limit
    missing_message_authenticator: int = 0  # Access-Accept/Reject without one
    accounting_sent: int = 0
    accounting_acknowledged: int = 0
    retransmissions: int = 0
    invalid_replies: int = 0
    requests: int = 0  # Access- and Accounting-Requests, retransmissions not counted
    elapsed: float = 0.0

    @property
    def ok(self) -> bool:
        """Every client got in and every accounting packet was acknowledged."""
        return (
            self.accepted == self.clients
            and self.accounting_acknowledged == self.accounting_sent
            and self.unfinished == 0
        )

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.elapsed if self.elapsed > 0 else 0.0

    def _count_accounting(self, result: AcctResult) -> None:
        self.requests += 1
        self.accounting_sent += 1
        self.accounting_acknowledged += result.acknowledged
        self.retransmissions += result.retransmissions
        self.invalid_replies += result.invalid_replies


def client_mac(index: int) -> str:
    """A locally administered MAC per client index: 02:00:00:00:00:01 for 1."""
    return ":".join(f"{b:02X}" for b in (0x0200_0000_0000 + index).to_bytes(6, "big"))


def client_ip(index: int) -> str:
    """A hotspot pool address per client index, from 10.5.0.10 on."""
    return str(ipaddress.IPv4Address("10.5.0.10") + index)


async def _run_client(
    router: RouterSimulator,
    report: SimReport,
    index: int,
    code: str,
    *,
    chap: bool,
    interims: int,
    bytes_per_interim: int,
    interim_seconds: int,
    pause: float,
) -> None:
    result = await router.login(code, code, mac=client_mac(index), ip=client_ip(index), chap=chap)
    report.requests += 1
    report.retransmissions += result.retransmissions
    report.invalid_replies += result.invalid_replies
    if result.timed_out:
        report.timeouts += 1
        return
    report.missing_message_authenticator += not result.has_message_authenticator
    if not result.accepted:
        report.rejected += 1
        report.reject_reasons[result.reply_message or f"no Reply-Message (code {result.code})"] += 1
        return
    report.accepted += 1
    session = result.session
    report._count_accounting(await router.start(session))
    # A fifth of the traffic is upload (Acct-Input), the rest download.
    upload = bytes_per_interim // 5
    download = bytes_per_interim - upload
    for k in range(1, interims + 2):
        if pause:
            await asyncio.sleep(pause)
        send = router.interim if k <= interims else router.stop
        report._count_accounting(
            await send(
                session,
                input_octets=k * upload,
                output_octets=k * download,
                session_time=k * interim_seconds,
            )
        )


async def run_clients(
    router: RouterSimulator,
    codes: Sequence[str],
    *,
    chap: bool = True,
    interims: int = 2,
    bytes_per_interim: int = 1024**2,
    interim_seconds: int = 300,
    concurrency: int = 20,
    time_limit: float | None = None,
    pause: float = 0.0,
) -> SimReport:
    """Log one client in per voucher code (the code is its password), then Start, `interims`
    Interim-Updates and a Stop, each adding `bytes_per_interim` and `interim_seconds`.

    At most `concurrency` clients at once; clients still running after `time_limit` seconds are
    cancelled and counted as unfinished. `pause` is the real wait between accounting packets.
    """
    report = SimReport(clients=len(codes))
    started = time.monotonic()
    gate = asyncio.Semaphore(max(1, concurrency))

    client = functools.partial(
        _run_client,
        chap=chap,
        interims=interims,
        bytes_per_interim=bytes_per_interim,
        interim_seconds=interim_seconds,
        pause=pause,
    )

    async def one(index: int, code: str) -> None:
        async with gate:
            await client(router, report, index, code)

    tasks = [asyncio.create_task(one(i, code)) for i, code in enumerate(codes, start=1)]
    if tasks:
        done, pending = await asyncio.wait(tasks, timeout=time_limit)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        report.unfinished = len(pending)
        for task in done:
            task.result()  # a bug in a client task should not pass unnoticed
    report.elapsed = time.monotonic() - started
    return report
