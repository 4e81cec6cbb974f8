"""A province-year of statistics, timed (`make bench-stats`): generate a year of sessions for
Kaltim inside the database (scripts/bench_stats_data.py), roll it up with the real rollup job,
then time every statistics page and API call, the monthly PDF report and the year's XLSX
through the real app, and report the database's size. Not part of the tests (a tiny run is:
tests/scripts/test_bench_stats.py).

    PYTHONPATH=. .venv/bin/python scripts/bench_stats.py [--scale 1.0] [--backend both]

PostgreSQL runs at --scale (1.0: 1,000 sites x 365 days x ~200 sessions = ~73 million
sessions), SQLite at a tenth of it. The year is the 365 local days (WITA) up to yesterday:
"day" is yesterday, "month" the last whole month, "year" those 365 days. Everything stays on
this machine: a private PostgreSQL on 127.0.0.1 (tests/_support/wdtest/postgres.py), a SQLite
file in a temporary directory, the app through Starlette's TestClient. The run stops by
itself; --deadline (seconds) cuts it short between steps if it runs too long.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "_support"))
sys.path.insert(0, str(ROOT / "scripts"))

from bench_stats_data import ZONE, Plan, generate  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import Engine, text  # noqa: E402
from wdtest.factories import make_admin  # type: ignore[import-untyped]  # noqa: E402
from wdtest.postgres import PostgresCluster  # type: ignore[import-untyped]  # noqa: E402

from portal.admin.stats.renderers import EXPORT_RENDERERS  # noqa: E402
from portal.admin.web import SESSION_COOKIE  # noqa: E402
from portal.app import create_app  # noqa: E402
from wifidesa.admin.scope import Scope, scope_of  # noqa: E402
from wifidesa.admin.signin import start_web_session  # noqa: E402
from wifidesa.db.engine import (  # noqa: E402
    WriterLock,
    make_engine,
    make_session_factory,
    transaction,
    utcnow,
)
from wifidesa.db.models import AdminRole, ExportFormat, ExportState  # noqa: E402
from wifidesa.localtime import local_day  # noqa: E402
from wifidesa.settings import load_settings  # noqa: E402
from wifidesa.stats.dirty import mark_days  # noqa: E402
from wifidesa.stats.exports import claim_next, request_export, run_export  # noqa: E402
from wifidesa.stats.job import roll_up  # noqa: E402
from wifidesa.stats.periods import Period, PeriodKind, period_of  # noqa: E402

log = logging.getLogger(__name__)
SECRET = "bench-stats-secret-key-0123456789abcdef"  # noqa: S105 - a throwaway bench key
GOAL_PAGE_MS = 500
GOAL_DAY_ROLLUP_S = 30
GOAL_PDF_S = 30
ROLLUP_BATCH_DAYS = 30  # site-days marked per rollup run for the whole year (bounded memory)


class OutOfTime(Exception):
    pass


@dataclass
class Results:
    backend: str
    scale: float
    lines: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)

    def say(self, line: str) -> None:
        print(line, flush=True)
        self.lines.append(line)


class Clock:
    def __init__(self, deadline: float) -> None:
        self.until = time.monotonic() + deadline

    def check(self, step: str) -> None:
        if time.monotonic() > self.until:
            raise OutOfTime(f"out of time before {step} (--deadline)")


@contextmanager
def database(backend: str) -> Iterator[str]:
    """A fresh database: a private PostgreSQL server, or a SQLite file in a temporary folder."""
    if backend == "postgresql":
        with PostgresCluster() as cluster:
            yield cluster.create_database("bench_stats")
        return
    with tempfile.TemporaryDirectory(prefix="bench-stats-") as folder:
        yield f"sqlite:///{folder}/bench.db"


def init(url: str) -> None:
    """`wifidesa init`, as an operator runs it: the schema and Kaltim's kabupaten/kota."""
    env = dict(os.environ, WIFIDESA_DATABASE_URL=url, PYTHONPATH=str(ROOT))
    command = [sys.executable, "-m", "wifidesa.cli.main", "--env-file", "/dev/null", "init"]
    subprocess.run(command, env=env, check=True, capture_output=True, cwd=ROOT)


def analyze(engine: Engine) -> None:
    with engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT")
        connection.execute(text("ANALYZE"))


def roll_up_days(url: str, days: list[date], site_ids: list[int]) -> tuple[float, int]:
    """Mark these days of every site dirty and run the real rollup job until they are done,
    ROLLUP_BATCH_DAYS at a time; (seconds, site-days written)."""
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    lock = WriterLock(url)
    started, done = time.perf_counter(), 0
    for start in range(0, len(days), ROLLUP_BATCH_DAYS):
        batch = days[start : start + ROLLUP_BATCH_DAYS]
        with lock.held(), transaction(sessions) as session:
            mark_days(session=session, site_days=[(s, d) for s in site_ids for d in batch])
        done += roll_up(read_sessions=sessions, write_sessions=sessions, lock=lock)
    engine.dispose()
    return time.perf_counter() - started, done


def quantiles(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, max(0, -(-95 * len(ordered) // 100) - 1))]
    return statistics.median(ordered) * 1000, p95 * 1000


def periods(yesterday: date, first: date) -> dict[str, dict[str, str]]:
    month = period_of(PeriodKind.MONTH, yesterday.replace(day=1) - timedelta(days=1))
    return {
        "day": {"period": "day", "on": yesterday.isoformat()},
        "month": {"period": "month", "on": month.first.isoformat()},
        "year": {"period": "custom", "first": first.isoformat(), "last": yesterday.isoformat()},
    }


def time_calls(
    client: TestClient, areas: dict[str, str], spans: dict[str, dict[str, str]], repeat: int
) -> list[tuple[str, str, str, float, float]]:
    """Every page and API call: (call, area, period, p50 ms, p95 ms); the first call of each
    is a warm-up, not counted."""
    found = []
    for path in ("/admin/stats", "/api/stats"):
        for area_name, key in areas.items():
            for span_name, query in spans.items():
                params = {"area": key, **query}
                times = []
                for n in range(repeat + 1):
                    started = time.perf_counter()
                    response = client.get(path, params=params)
                    elapsed = time.perf_counter() - started
                    if response.status_code != 200:
                        raise RuntimeError(f"{path} {params}: {response.status_code}")
                    if n:
                        times.append(elapsed)
                found.append((path, area_name, span_name, *quantiles(times)))
    return found


def time_export(
    url: str, scope: Scope, fmt: ExportFormat, key: str, period: Period
) -> tuple[float, int]:
    """Queue an export as the page does and make it as the web's worker does: (s, bytes)."""
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    with transaction(sessions) as session:
        request_export(
            session=session,
            scope=scope,
            format=fmt,
            key=key,
            period=period,
            language="id",
            now=utcnow(),
        )
        export_id = claim_next(session=session, now=utcnow())
    assert export_id is not None
    started = time.perf_counter()
    state = run_export(
        read_sessions=sessions,
        write_sessions=sessions,
        lock=WriterLock(url),
        export_id=export_id,
        clock=utcnow,
        renderers=EXPORT_RENDERERS,
    )
    seconds = time.perf_counter() - started
    with engine.connect() as connection:
        size = connection.execute(
            text("SELECT size FROM stats_exports WHERE id = :id"), {"id": export_id}
        ).scalar_one()
    engine.dispose()
    if state is not ExportState.DONE:
        raise RuntimeError(f"{fmt.value} export {state.value}")
    return seconds, int(size)


def sizes(engine: Engine) -> tuple[int, list[tuple[str, int]]]:
    """The database's size and its biggest tables (with their indexes)."""
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            total = connection.execute(text("SELECT pg_database_size(current_database())"))
            found = connection.execute(
                text(
                    "SELECT relname AS name, pg_total_relation_size(oid) AS bytes FROM pg_class "
                    "WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace "
                    "ORDER BY bytes DESC LIMIT 6"
                )
            )
            tables = [(r.name, int(r.bytes)) for r in found]
            parts = connection.execute(
                text(
                    "SELECT count(*) AS n, sum(pg_total_relation_size(relid)) AS bytes "
                    "FROM pg_partition_tree('sessions') WHERE isleaf"
                )
            ).one()
            whole = (f"sessions ({parts.n} partitions)", int(parts.bytes or 0))
            return int(total.scalar_one()), [whole, *tables]
        pages = connection.execute(text("PRAGMA page_count")).scalar_one()
        page_size = connection.execute(text("PRAGMA page_size")).scalar_one()
        tables: Sequence[Any] = []
        try:
            tables = connection.execute(
                text(
                    "SELECT coalesce(m.tbl_name, d.name) AS name, sum(d.pgsize) AS bytes "
                    "FROM dbstat d LEFT JOIN sqlite_master m ON m.name = d.name "
                    "GROUP BY 1 ORDER BY 2 DESC LIMIT 6"
                )
            ).all()
        except Exception:  # dbstat is a compile-time option of SQLite
            log.info("no dbstat in this SQLite: table sizes left out")
        return int(pages * page_size), [(r.name, int(r.bytes)) for r in tables]


def mb(size: int) -> str:
    if size < 1e6:
        return f"{size / 1e3:,.0f} kB"
    return f"{size / 1e6:,.0f} MB" if size >= 1e7 else f"{size / 1e6:,.1f} MB"


def run(backend: str, plan: Plan, repeat: int, clock: Clock) -> Results:
    results = Results(backend, plan.scale)
    say = results.say
    say(f"\n## {backend}: {plan.sites} sites x {plan.days} days, scale {plan.scale}\n")
    with database(backend) as url:
        init(url)
        engine = make_engine(url)
        made = generate(engine, plan)
        say(
            f"- generated {made.sessions:,} sessions over {made.site_days:,} site-days "
            f"inside the database in {made.seconds:,.0f} s "
            f"({made.sessions / max(made.seconds, 1e-9):,.0f} rows/s, indexes included)"
        )
        analyze(engine)
        with engine.connect() as connection:
            site_ids = [r.id for r in connection.execute(text("SELECT id FROM sites"))]
            site_code = connection.execute(text("SELECT min(code) FROM sites")).scalar_one()
        days = [plan.first + timedelta(days=n) for n in range(plan.days)]
        clock.check("the rollup")
        seconds, written = roll_up_days(url, days, site_ids)
        say(
            f"- rollup of all {plan.days} days (roll_up, {ROLLUP_BATCH_DAYS} days a run): "
            f"{written:,} site-days recomputed in {seconds:,.0f} s "
            f"({made.sessions / max(seconds, 1e-9):,.0f} sessions/s)"
        )
        analyze(engine)
        yesterday = days[-1]
        seconds, written = roll_up_days(url, [yesterday], site_ids)
        say(
            f"- rollup of one day of the whole province ({yesterday}, {written:,} site-days): "
            f"{seconds:.1f} s (goal <= {GOAL_DAY_ROLLUP_S} s)"
        )
        if seconds > GOAL_DAY_ROLLUP_S:
            results.misses.append(f"{backend}: one day's rollup {seconds:.1f} s")
        clock.check("the pages")
        areas = {"province": "r:64", "kabupaten": "r:64.03", "desa": f"s:{site_code}"}
        spans = periods(yesterday, plan.first)
        settings = load_settings(
            env_file=None,
            env="development",
            secret_key=SECRET,
            database_url=url,
            export_worker=False,
        )
        with transaction(make_session_factory(engine)) as session:
            admin = make_admin(
                session=session,
                username="bench",
                password="bench-password",  # noqa: S106
                role=AdminRole.PROVINCE,
            )
            token = start_web_session(session=session, admin=admin, now=utcnow())
            scope = scope_of(admin)
        with TestClient(create_app(settings)) as client:
            client.cookies.set(SESSION_COOKIE, token)
            timed = time_calls(client, areas, spans, repeat)
        say(
            f"\n{repeat} requests each after a warm-up; p50 / p95 in ms (goal p95 <= "
            f"{GOAL_PAGE_MS} ms):\n"
        )
        say("| call | area | period | p50 ms | p95 ms |")
        say("|---|---|---|---:|---:|")
        for path, area_name, span_name, p50, p95 in timed:
            flag = "" if p95 <= GOAL_PAGE_MS else " **over**"
            say(f"| `{path}` | {area_name} | {span_name} | {p50:,.0f} | {p95:,.0f}{flag} |")
            if p95 > GOAL_PAGE_MS:
                results.misses.append(f"{backend}: {path} {area_name} {span_name} p95 {p95:.0f}")
        clock.check("the exports")
        month = period_of(PeriodKind.MONTH, yesterday.replace(day=1) - timedelta(days=1))
        year = Period(PeriodKind.CUSTOM, plan.first, yesterday)
        seconds, size = time_export(url, scope, ExportFormat.PDF, "r:64", month)
        say(
            f"\n- monthly PDF report of the province ({month.first:%Y-%m}): {seconds:.1f} s, "
            f"{mb(size)} (goal <= {GOAL_PDF_S} s)"
        )
        if seconds > GOAL_PDF_S:
            results.misses.append(f"{backend}: province PDF {seconds:.1f} s")
        seconds, size = time_export(url, scope, ExportFormat.XLSX, "r:64", year)
        say(f"- XLSX of the province's year: {seconds:.1f} s, {mb(size)}")
        total, tables = sizes(engine)
        say(
            f"- database size: {mb(total)}; biggest tables (with indexes): "
            + ", ".join(f"{name} {mb(b)}" for name, b in tables)
        )
        engine.dispose()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0: ~73 million sessions")
    parser.add_argument("--backend", choices=("both", "postgresql", "sqlite"), default="both")
    parser.add_argument("--sites", type=int, default=1000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeat", type=int, default=20, help="requests per call timed")
    parser.add_argument("--deadline", type=float, default=6 * 3600, help="seconds, at most")
    args = parser.parse_args(argv)
    if args.scale > 0.25:
        # The data directory would not fit in /dev/shm: a disk-backed temporary directory.
        os.environ.setdefault("WIFIDESA_PG_NO_SHM", "1")
    today = local_day(utcnow(), ZONE)
    first = today - timedelta(days=args.days)
    clock = Clock(args.deadline)
    runs = []
    if args.backend in ("both", "postgresql"):
        runs.append(("postgresql", args.scale))
    if args.backend in ("both", "sqlite"):
        runs.append(("sqlite", args.scale / 10 if args.backend == "both" else args.scale))
    misses = []
    for backend, scale in runs:
        plan = Plan(sites=args.sites, days=args.days, scale=scale, first=first)
        misses += run(backend, plan, args.repeat, clock).misses
    print("\nmissed goals: " + ("; ".join(misses) if misses else "none"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
