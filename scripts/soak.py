"""Soak run (`make soak`): mixed logins, accounting and portal traffic at half the measured peak
against the services as `make run` starts them (`wifidesa serve`: web and RADIUS on one SQLite
file), for `--minutes` (10 by default).

First a short calibration measures the peak this load generator reaches against this server
(closed loop, as many requests in flight as the simulated routers allow); then an open-loop load
at half of it: each client logs in (CHAP, as RouterOS), sends Start, three Interim-Updates a
second apart and a Stop, and gives its voucher back; a prober (a process of its own, at the
services' priority: scripts/soak_web.py) asks for the portal's landing page. A router resends
after 1 s, three times: a request not answered by then is lost. Per minute: answered %, p50/p99
latency of logins, accounting and portal pages, the SQLite WAL's largest size; memory (RSS) of
every process at the end of each minute, its open file descriptors at start and end, and the
share of a core each process used. Logins and accounting are timed as a router waits for them:
from its first send until the answer reached its socket (the kernel's receive time), so that
this process's own lateness in reading answers (its loop lag, in the last column) is not counted
as the server's; each RADIUS worker's own minute lines (from the request's arrival to the
answer) follow the table. The load generator runs niced (`--nice`, 10): real routers do not
share the server's cores. Exit status 1 if any minute answered less than `--min-answered` %, a
p99 of logins, accounting (the router's or a worker's) or pages passed `--p99-ms`, or the WAL
grew past `--wal-limit-mib`.

    python scripts/soak.py [--minutes 10] [--rate N] [--wal-limit-mib 128]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "_support"))

from soak_report import Stats, print_resources, report, server_side
from wdtest.factories import make_batch, make_profile, make_router, make_site
from wdtest.services import Services, open_fds, roles, rss_kib, services

from radius.simulator.load import client_ip, client_mac
from radius.simulator.router import RouterSimulator
from wifidesa.crypto import SecretBox
from wifidesa.db.engine import make_engine, make_session_factory, transaction

SECRET_KEY = "soak-secret-key-0123456789abcdef-not-for-production"  # noqa: S105 - throwaway
ROUTER_SECRET = "soak-router-secret-01"  # noqa: S105 - a throwaway database
ROUTERS = 4  # simulator sockets (one router's address): 256 requests in flight each
RECORDS = 5  # accounting records per client session: Start, 3 interims, Stop
README_PEAK = "README: wifidesa on SQLite 16,071 PAP / 16,823 CHAP / 11,106 accounting req/s"


def seed(url: str, env: dict[str, str], clients: int) -> tuple[list[str], str]:
    """`wifidesa init` (as `make run`), then a village whose router is 127.0.0.1 and vouchers."""
    subprocess.run(
        [sys.executable, "-m", "wifidesa.cli.main", "init"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    engine = make_engine(url)
    try:
        with transaction(make_session_factory(engine)) as session:
            site = make_site(session, code="soak")
            site.allow_free = True
            router = make_router(
                session, SecretBox(SECRET_KEY), site=site, ip="127.0.0.1", secret=ROUTER_SECRET
            )
            profile = make_profile(session, name="soak", interim_interval=300, devices_at_once=1)
            _, codes = make_batch(
                session=session, site_code=site.code, profile_name=profile.name, count=clients
            )
            names = codes, router.name
        with engine.connect() as connection:  # start from an empty WAL: what the soak adds
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return names
    finally:
        engine.dispose()


async def client_cycle(
    router: RouterSimulator, code: str, n: int, stats: Stats, *, pause: float
) -> int:
    """One client: login, Start, interims, Stop; returns how many requests were answered."""
    login = await router.login(code, code, mac=client_mac(n), ip=client_ip(n))
    stats.waited("login", login.waited)
    if not login.accepted:
        return 0 if login.timed_out else 1
    answered, session = 1, login.session
    for k in range(RECORDS):
        if pause:
            await asyncio.sleep(pause)
        if k == 0:
            result = await router.start(session)
        else:
            counters = {"input_octets": k * 10**6, "output_octets": k * 5 * 10**6}
            send = router.interim if k < RECORDS - 1 else router.stop
            result = await send(session, session_time=k * 60, **counters)
        stats.waited("acct", result.waited)
        answered += result.acknowledged
    return answered


async def calibrate(routers: list[RouterSimulator], codes: list[str], seconds: float) -> float:
    """Requests per second with as many clients at once as the routers allow, no pauses."""
    pool = list(enumerate(codes, 1))
    stats, done, stop_at = Stats(), 0, time.monotonic() + seconds

    async def worker(index: int) -> None:
        nonlocal done
        router = routers[index % len(routers)]
        while time.monotonic() < stop_at and pool:
            n, code = pool.pop()
            answered = await client_cycle(router, code, n, stats, pause=0.0)
            done += answered  # not `done += await ...`: that reads `done` before the wait
            pool.insert(0, (n, code))

    started = time.monotonic()
    await asyncio.gather(*(worker(i) for i in range(min(len(codes), 64 * len(routers)))))
    return done / (time.monotonic() - started)


async def soak(
    service: Services, codes: list[str], router_name: str, args: argparse.Namespace, wal: Path
) -> tuple[Stats, float, float]:
    routers = [service.router(timeout=1.0, retries=3) for _ in range(ROUTERS)]
    prober: subprocess.Popen[str] | None = None
    for router in routers:
        await router.open()
    try:
        peak = await calibrate(routers, codes, args.calibrate)
        rate = args.rate or peak / 2
        # The peak is measured at the services' priority. Then the routers, which are not on
        # the server, are played niced: this process takes the CPU the services leave (its own
        # lag shows in the client-side figures, not in the server's).
        # Pages are asked for by a process of its own at the services' priority (10 a second
        # costs it little): a niced, busy client would time its own delays.
        prober = subprocess.Popen(
            [
                sys.executable,
                str(Path(__file__).with_name("soak_web.py")),
                f"--port={service.web_port}",
                f"--router={router_name}",
                f"--start-at={time.monotonic() + 1.0}",
                f"--seconds={args.minutes * 60}",
                f"--rate={args.web_rate}",
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        os.nice(args.nice)
        print(f"soak: peak {peak:.0f} req/s measured; load {rate:.0f} req/s ({README_PEAK})")
        # The load generator's own full collections walked everything the calibration left
        # behind, longer each minute: its loop lag grew to a p99 of 39 ms in three minutes.
        gc.collect()
        gc.freeze()
        stats = Stats()
        pool = list(enumerate(codes, 1))
        random.Random(13).shuffle(pool)  # noqa: S311 - a load pattern, not a secret
        cycles_per_second = rate / (1 + RECORDS)
        end = time.monotonic() + args.minutes * 60
        tasks: set[asyncio.Task[int]] = set()
        skipped = 0

        async def one(n: int, code: str, router: RouterSimulator) -> int:
            try:
                return await client_cycle(router, code, n, stats, pause=1.0)
            finally:
                pool.append((n, code))

        async def sample_wal() -> None:
            while time.monotonic() < end:
                size = wal.stat().st_size if wal.exists() else 0
                minute = stats.minute()
                stats.wal[minute] = max(stats.wal.get(minute, 0), size)
                await asyncio.sleep(2.0)

        async def sample_rss() -> None:  # every process's memory, at the end of each minute
            while time.monotonic() < end:
                await asyncio.sleep(60.0 - (time.monotonic() - stats.started) % 60.0 - 0.5)
                minute = stats.minute()
                for pid in service.pids():
                    kib = rss_kib(pid)
                    if kib is not None:
                        stats.rss[pid][minute] = kib

        async def sample_lag() -> None:  # how late this process's own loop runs
            while time.monotonic() < end:
                before = time.monotonic()
                await asyncio.sleep(0.005)
                stats.latencies[(stats.minute(), "lag")].append(
                    (time.monotonic() - before - 0.005) * 1000
                )

        sampler = asyncio.ensure_future(sample_wal())
        lagger = asyncio.ensure_future(sample_lag())
        memory = asyncio.ensure_future(sample_rss())
        launched, tick = 0, 0.01
        while (now := time.monotonic()) < end:
            due = int((now - stats.started) * cycles_per_second) - launched
            for _ in range(due):
                launched += 1
                if not pool:
                    skipped += 1  # every voucher busy: the server is far behind
                    continue
                n, code = pool.pop()
                task = asyncio.ensure_future(one(n, code, routers[launched % ROUTERS]))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
            await asyncio.sleep(tick)
        await asyncio.gather(*tasks, sampler, lagger, memory, return_exceptions=True)
        pages, _ = await asyncio.to_thread(prober.communicate)
        for line in pages.splitlines():
            sent, ms = (float(field) for field in line.split())
            stats.waited("web", ms / 1000 if ms >= 0 else None, at=sent)
        if skipped:
            print(f"soak: {skipped} client cycles not started (every voucher busy)")
        return stats, peak, rate
    finally:
        for router in routers:
            router.close()
        if prober is not None and prober.poll() is None:
            prober.kill()  # cut short (it stops by itself at the soak's end)
            prober.wait()


def resources(service: Services) -> dict[int, tuple[str, int | None, int | None]]:
    assert service.proc is not None
    names = roles(service.proc.pid)
    return {pid: (names.get(pid, "?"), rss_kib(pid), open_fds(pid)) for pid in service.pids()}


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """User and system CPU seconds each process has used so far (/proc/PID/stat)."""
    tick = os.sysconf("SC_CLK_TCK")
    used = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return used


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, default=10)
    parser.add_argument("--rate", type=float, default=0.0, help="RADIUS req/s (default: peak/2)")
    parser.add_argument("--calibrate", type=float, default=20.0, help="seconds to find the peak")
    parser.add_argument("--web-rate", type=float, default=10.0, help="portal pages a second")
    # At half the peak (~4,300 req/s) about 3,600 clients are mid-cycle at once, more after a
    # pause of the generator (8,000 left 886 cycles unstarted in one soak's first minute).
    parser.add_argument("--clients", type=int, default=12000, help="vouchers (clients) to cycle")
    parser.add_argument("--min-answered", type=float, default=99.9)
    parser.add_argument(
        "--nice", type=int, default=10, help="niceness of the load generator (0: as the server)"
    )
    parser.add_argument("--p99-ms", type=float, default=50.0, help="p99 bound, each minute")
    parser.add_argument(
        "--wal-limit-mib",
        type=float,
        default=128.0,  # the checkpointer starts it over past 64 MiB: what a second adds past that
    )
    parser.add_argument(
        "--stats-every",
        type=int,
        default=0,
        help="seconds between statistics rollups (default: the service's setting, 900)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wifidesa-soak-") as tmp:
        db = Path(tmp) / "wifidesa.db"
        url = f"sqlite:///{db}"
        service = services(
            database_url=url,
            secret_key=SECRET_KEY,
            router_secret=ROUTER_SECRET,
            workdir=Path(tmp) / "run",
            args=("serve",),  # what scripts/run.sh (make run) ends with
            extra_env={
                "WIFIDESA_LOG_LEVEL": "INFO",  # the workers' latency lines
                # The statistics service's rollups (default every 900 s: none in a 10-minute
                # soak; --stats-every 60 runs them while accounting flows).
                **(
                    {"WIFIDESA_STATS_ROLLUP_SECONDS": str(args.stats_every)}
                    if args.stats_every
                    else {}
                ),
            },
        )
        codes, router_name = seed(url, service.env, args.clients)
        service.start()
        service.wait_for_web()
        try:
            start = resources(service)
            pids = [*start, os.getpid()]
            cpu_start, wall_start = cpu_seconds(pids), time.monotonic()
            stats, _, _ = asyncio.run(soak(service, codes, router_name, args, Path(f"{db}-wal")))
            cpu_end, wall = cpu_seconds(pids), time.monotonic() - wall_start
            end = resources(service)
        finally:
            code = service.stop()
        ok = report(stats, args)
        ok = server_side(service.log.read_text(errors="replace"), stats, args) and ok
        start[os.getpid()] = (f"load generator (nice {args.nice})", None, None)
        cpu = {pid: (cpu_end[pid] - cpu_start[pid]) / wall for pid in cpu_end if pid in cpu_start}
        print_resources(start, end, stats.rss, cpu)
        errors = [line for line in service.output().splitlines() if "Traceback" in line]
        print(f"services stopped with {code}; tracebacks in their log: {len(errors)}")
        print(
            f"soak: {'passed' if ok else 'FAILED'} (bounds: answered >= {args.min_answered} %"
            f" every minute, WAL <= {args.wal_limit_mib} MiB, p99 of logins, accounting and"
            f" pages <= {args.p99_ms} ms every minute, as the routers and each worker saw it)"
        )
        if os.environ.get("SOAK_KEEP_LOG"):
            print(service.output())
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
