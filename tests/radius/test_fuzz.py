"""The real server (UDP on 127.0.0.1) under seeded mutation fuzzing, with good accounting in
between: no crash (no traceback, no ERROR in its log), no wrong Access-Accept, every good
record answered and stored once, and a valid login answered afterwards.

`make test` runs a few thousand packets; `make fuzz` (scripts/fuzz_radius.py) the full count
through WIFIDESA_FUZZ_PACKETS (split 40/30/30 over the three tests) and WIFIDESA_FUZZ_SEED.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Sequence

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from wdtest.radius import RunningRadius
from wdtest.stored import stored_problems

from radius.simulator.fuzz import Fuzzer, Port
from radius.simulator.fuzz_run import FuzzReport, GoodTraffic, run_fuzz
from radius.simulator.load import client_ip, client_mac
from radius.simulator.router import RouterSimulator, SimRouter
from wifidesa.db.models import Voucher

from .conftest import SECRET, Village

TOTAL = int(os.environ.get("WIFIDESA_FUZZ_PACKETS", "6000"))
SEED = int(os.environ.get("WIFIDESA_FUZZ_SEED", "13"))
TIME_LIMIT = max(120.0, TOTAL / 100)  # a bound against hangs, never reached by a healthy run


def router_for(server: RunningRadius) -> RouterSimulator:
    # Like RouterOS: the same bytes again after a second, many times (20 s in all: a busy
    # machine is slow, and a datagram lost in a full socket buffer is not a lost record).
    config = SimRouter(
        secret=SECRET,
        auth_port=server.auth_port,
        acct_port=server.acct_port,
        timeout=1.0,
        retries=20,
    )
    return RouterSimulator(config)


def fuzz(
    server: RunningRadius,
    village: Village,
    sessions: sessionmaker[Session],
    caplog: pytest.LogCaptureFixture,
    *,
    packets: int,
    families: Sequence[str],
    ports: Sequence[Port],
) -> tuple[FuzzReport, GoodTraffic, list[str], bool]:
    """Fuzz with `village.codes[4:9]` (valid codes the packets may try), good accounting of
    `codes[:4]` in between, then a login with the untouched `codes[9]`; returns the report, the
    good traffic, the log lines that are errors or tracebacks, and whether that login got in."""
    good_codes, fuzz_codes, last_code = village.codes[:4], village.codes[4:9], village.codes[9]
    with sessions() as session:
        accounts = list(
            session.scalars(select(Voucher.account_id).where(Voucher.code.in_(fuzz_codes)))
        )
    fuzzer = Fuzzer(
        secret=SECRET,
        codes=fuzz_codes,
        account_ids=accounts,
        seed=SEED,
        families=families,
        ports=ports,
    )

    async def scenario() -> tuple[FuzzReport, GoodTraffic, bool]:
        async with router_for(server) as router:
            logins = [
                await router.login(code, code, mac=client_mac(n), ip=client_ip(n))
                for n, code in enumerate(good_codes, 1)
            ]
            assert all(login.accepted for login in logins), logins
            good = GoodTraffic(router, [login.session for login in logins])
            report = await run_fuzz(router, fuzzer, packets=packets, good=good)
            after = await router.login(last_code, last_code, mac=client_mac(99), ip=client_ip(99))
        return report, good, after.accepted

    with caplog.at_level(logging.WARNING):
        report, good, accepted = asyncio.run(asyncio.wait_for(scenario(), TIME_LIMIT))
    errors = [
        f"{r.name}: {r.getMessage()}"
        for r in caplog.records
        if r.levelno >= logging.ERROR or r.exc_info is not None
    ]
    print(report.summary())  # shown by `make fuzz` (pytest -s)
    return report, good, errors, accepted


def check(
    report: FuzzReport,
    good: GoodTraffic,
    errors: list[str],
    accepted: bool,
    sessions: sessionmaker[Session],
    village: Village,
) -> None:
    assert errors == [], (
        f"{len(errors)} errors or tracebacks, first: {errors[:3]}\n{report.summary()}"
    )
    assert report.wrong_accepts == [], f"{report.summary()}\nfirst: {report.wrong_accepts[:3]}"
    assert report.unmatched_accepts == 0, report.summary()
    assert report.good_acknowledged == report.good_sent > 0, report.summary()
    assert stored_problems(sessions, good.expected, router_id=village.router_id) == []
    assert accepted, "a valid login after the fuzzing was not accepted"


def test_broken_packets_are_dropped_and_nothing_else_changes(
    server: RunningRadius,
    village: Village,
    sessions: sessionmaker[Session],
    caplog: pytest.LogCaptureFixture,
) -> None:
    result = fuzz(
        server,
        village,
        sessions,
        caplog,
        packets=TOTAL * 4 // 10,
        families=("raw",),
        ports=("auth", "acct"),
    )
    check(*result, sessions, village)


def test_hostile_signed_logins_are_never_wrongly_accepted(
    server: RunningRadius,
    village: Village,
    sessions: sessionmaker[Session],
    caplog: pytest.LogCaptureFixture,
) -> None:
    result = fuzz(
        server,
        village,
        sessions,
        caplog,
        packets=TOTAL * 3 // 10,
        families=("signed", "resigned"),
        ports=("auth",),
    )
    check(*result, sessions, village)


def test_hostile_signed_accounting_leaves_no_good_record_unanswered(
    server: RunningRadius,
    village: Village,
    sessions: sessionmaker[Session],
    caplog: pytest.LogCaptureFixture,
) -> None:
    result = fuzz(
        server,
        village,
        sessions,
        caplog,
        packets=TOTAL * 3 // 10,
        families=("signed", "resigned"),
        ports=("acct",),
    )
    check(*result, sessions, village)
