"""wifidesa's services as real processes for fault and soak runs: `wifidesa radius` or
`wifidesa serve` (web and RADIUS, as `make run` starts them) on free ports, killed with SIGKILL
or stopped with SIGTERM, their processes and resources read from /proc."""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from radius.simulator.load import client_ip, client_mac
from radius.simulator.router import RouterSimulator, SimRouter
from wdtest.ports import free_ports

START_TIMEOUT = 90.0
STOP_TIMEOUT = 30.0


def _parent_of(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return None if fields[0] == "Z" else int(fields[1])


def descendants(pid: int) -> list[int]:
    """Every living process below `pid` (children, their children, ...)."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            parent = _parent_of(int(entry.name))
            if parent is not None:
                parents[int(entry.name)] = parent
    found, frontier = [], [pid]
    while frontier:
        current = frontier.pop()
        children = [child for child, parent in parents.items() if parent == current]
        found += children
        frontier += children
    return sorted(found)


def rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def open_fds(pid: int) -> int | None:
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return None


def _cmdline(pid: int) -> str:
    try:
        return (
            Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        )
    except OSError:
        return ""


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def roles(root: int) -> dict[int, str]:
    """What each process under `wifidesa serve|radius` is: `serve` spawns one process per
    service (web, radius, stats, poller, notify), each named `wifidesa-<service>`, besides
    multiprocessing's resource tracker; the RADIUS service forks its workers."""
    found = {root: " ".join(_cmdline(root).split()[-2:]) or "?"}
    parents = {pid: _parent_of(pid) for pid in descendants(root)}
    for pid, parent in parents.items():
        children = [c for c, p in parents.items() if p == pid]
        comm = _comm(pid)
        if "resource_tracker" in _cmdline(pid):
            found[pid] = "multiprocessing resource tracker"
        elif parent == root and children:
            found[pid] = "radius (dispatcher)"
        elif parent == root and comm.startswith("wifidesa-"):
            found[pid] = comm.removeprefix("wifidesa-")
        elif parent == root and found[root].endswith("serve"):
            found[pid] = "web (uvicorn)"
        else:
            found[pid] = "radius worker"
    return found


@dataclass
class Services:
    """A running `wifidesa ...` command and its ports; `log` holds its output."""

    args: Sequence[str]
    env: dict[str, str]
    cwd: Path
    log: Path
    auth_port: int
    acct_port: int
    web_port: int
    secret: str
    proc: subprocess.Popen[bytes] | None = None
    starts: int = 0
    killed: list[int] = field(default_factory=list)

    def start(self, *, background_job: bool = False) -> None:
        """Start (or start again, on the same ports), and wait until RADIUS answers.
        `background_job`: as a script's `&` starts it, SIGINT ignored on entry, and in a process
        group of its own (for a Ctrl-C to the whole group: `os.killpg`)."""
        self.starts += 1
        command = [sys.executable, "-m", "wifidesa.cli.main", *self.args]
        if background_job:
            command = ["/bin/sh", "-c", f"trap '' INT; exec {shlex.join(command)}"]
        with self.log.open("ab") as out:
            out.write(f"\n== start {self.starts}\n".encode())
            out.flush()
            self.proc = subprocess.Popen(
                command,
                cwd=self.cwd,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=background_job,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while not asyncio.run(self._answers()):
            if self.proc.poll() is not None:
                raise RuntimeError(f"exited with {self.proc.returncode}\n{self.output()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"no RADIUS answer within {START_TIMEOUT} s\n{self.output()}")

    def wait_for_web(self) -> None:
        """Wait until the web service answers /healthz (`serve` starts it beside RADIUS)."""
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            conn = http.client.HTTPConnection("127.0.0.1", self.web_port, timeout=5)
            try:
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                pass
            finally:
                conn.close()
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"exited with {self.proc.returncode}\n{self.output()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"no web answer within {START_TIMEOUT} s\n{self.output()}")
            time.sleep(0.2)

    async def _answers(self) -> bool:
        async with self.router(timeout=0.5, retries=0) as router:
            result = await router.login("probe", "probe", mac=client_mac(9999), ip=client_ip(9999))
        return not result.timed_out

    def router(self, *, timeout: float = 1.0, retries: int = 60) -> RouterSimulator:
        """The village router at 127.0.0.1; by default it resends every second for a minute."""
        return RouterSimulator(
            SimRouter(
                secret=self.secret,
                auth_port=self.auth_port,
                acct_port=self.acct_port,
                timeout=timeout,
                retries=retries,
            )
        )

    def pids(self) -> list[int]:
        """The command's process and every process below it."""
        if self.proc is None or self.proc.poll() is not None:
            return []
        return [self.proc.pid, *descendants(self.proc.pid)]

    def kill(self) -> None:
        """SIGKILL to every process of the service at once: a crash, nothing cleans up."""
        assert self.proc is not None
        pids = self.pids()
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.proc.wait(timeout=STOP_TIMEOUT)
        deadline = time.monotonic() + STOP_TIMEOUT
        while any(_parent_of(pid) is not None for pid in pids) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.killed += pids

    def stop(self) -> int | None:
        """SIGTERM and its exit code; SIGKILL after STOP_TIMEOUT seconds."""
        if self.proc is None:
            return None
        pids = self.pids()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                for pid in pids:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
                self.proc.wait(timeout=STOP_TIMEOUT)
        for pid in pids:  # no worker may outlive it
            if _parent_of(pid) is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        return self.proc.returncode

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-6000:]


def services(
    *,
    database_url: str,
    secret_key: str,
    router_secret: str,
    workdir: Path,
    args: Sequence[str] = ("radius",),
    extra_env: dict[str, str] | None = None,
) -> Services:
    """A service command on free ports (not started): `("radius",)` or `("serve",)`."""
    auth_port, acct_port = free_ports(2)
    (web_port,) = free_ports(1, socket.SOCK_STREAM)
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIFIDESA_")}
    env.update(
        WIFIDESA_DATABASE_URL=database_url,
        WIFIDESA_SECRET_KEY=secret_key,
        WIFIDESA_ENV="development",
        WIFIDESA_VAR_DIR=str(workdir / "var"),
        WIFIDESA_RADIUS_HOST="127.0.0.1",
        WIFIDESA_RADIUS_AUTH_PORT=str(auth_port),
        WIFIDESA_RADIUS_ACCT_PORT=str(acct_port),
        WIFIDESA_WEB_HOST="127.0.0.1",
        WIFIDESA_WEB_PORT=str(web_port),
        WIFIDESA_LOG_LEVEL="WARNING",
    )
    env.update(extra_env or {})
    workdir.mkdir(parents=True, exist_ok=True)
    return Services(
        args=args,
        env=env,
        cwd=workdir,  # no stray .env is read
        log=workdir / "services.log",
        auth_port=auth_port,
        acct_port=acct_port,
        web_port=web_port,
        secret=router_secret,
    )
