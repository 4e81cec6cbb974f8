"""The real `wifidesa radius` as a separate process on free ports, for end-to-end tests.

Started with a clean WIFIDESA_ environment (plus what the test adds, e.g. a clock file), in
a folder of its own so no stray .env is read; ready once it answers a login; stopped with
SIGTERM (SIGKILL for it and its workers if it hangs).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from radius.simulator.router import RouterSimulator, SimRouter
from wdtest.ports import free_ports
from wifidesa.settings import Settings

START_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0


def children_of(pid: int) -> list[int]:
    """Pids whose parent is `pid`, from /proc (field 4 of /proc/PID/stat)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # gone meanwhile
        # The command name (field 2) is in parentheses and may itself hold spaces or ')'.
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


def is_running(pid: int) -> bool:
    """True while `pid` exists and is not a zombie (a zombie runs nothing; init reaps it)."""
    try:
        os.kill(pid, 0)
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (ProcessLookupError, FileNotFoundError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@dataclass
class RadiusService:
    proc: subprocess.Popen[bytes]
    auth_port: int
    acct_port: int
    secret: str  # of the router at 127.0.0.1 that the tests play
    log: Path

    def router(self, *, timeout: float = 10.0, retries: int = 3) -> RouterSimulator:
        """The router at 127.0.0.1, as a simulator."""
        return RouterSimulator(
            SimRouter(
                secret=self.secret,
                auth_port=self.auth_port,
                acct_port=self.acct_port,
                timeout=timeout,
                retries=retries,
            )
        )

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def workers(self) -> list[int]:
        return children_of(self.proc.pid)

    async def answers(self) -> bool:
        async with self.router(timeout=0.5, retries=0) as router:
            result = await router.login("probe", "probe", mac="AA:00:00:00:99:99", ip="10.5.9.9")
        return not result.timed_out

    def stop(self) -> int:
        """SIGTERM, and its exit code; kills it and its workers if it takes too long."""
        if self.proc.poll() is None:
            workers = self.workers()
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                for pid in [self.proc.pid, *workers]:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
                self.proc.wait(timeout=STOP_TIMEOUT)
                pytest.fail(f"did not stop within {STOP_TIMEOUT} s after SIGTERM\n{self.output()}")
        return self.proc.returncode


@contextmanager
def radius_service(
    settings: Settings,
    folder: Path,
    *,
    secret: str,
    workers: int = 1,
    env: dict[str, str] | None = None,
) -> Iterator[RadiusService]:
    """`wifidesa radius --workers N` in development mode on the test's database, answering."""
    auth_port, acct_port = free_ports(2)
    environ = {k: v for k, v in os.environ.items() if not k.startswith("WIFIDESA_")}
    environ.update(
        WIFIDESA_DATABASE_URL=settings.resolved_database_url,
        WIFIDESA_SECRET_KEY=settings.secret_key,
        WIFIDESA_ENV="development",
        WIFIDESA_VAR_DIR=str(folder / "var"),
        WIFIDESA_RADIUS_HOST="127.0.0.1",
        WIFIDESA_RADIUS_AUTH_PORT=str(auth_port),
        WIFIDESA_RADIUS_ACCT_PORT=str(acct_port),
        WIFIDESA_LOG_LEVEL="INFO",
    )
    environ.update(env or {})
    log = folder / "radius.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "wifidesa.cli.main", "radius", "--workers", str(workers)],
            cwd=folder,
            env=environ,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    service = RadiusService(proc, auth_port, acct_port, secret, log)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not asyncio.run(service.answers()):
            if proc.poll() is not None:
                pytest.fail(f"exited with {proc.returncode} before answering\n{service.output()}")
            if time.monotonic() > deadline:
                pytest.fail(f"no answer within {START_TIMEOUT} s\n{service.output()}")
        yield service
    finally:
        service.stop()
