"""`make bench-stats` (scripts/bench_stats.py) at a tiny scale, so it cannot rot, and the
shape of the year it generates (scripts/bench_stats_data.py): the rhythm the timings rely on."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select, text

from wifidesa.db.models import AcctSession
from wifidesa.localtime import local_day
from wifidesa.settings import DEFAULT_TIMEZONE

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from bench_stats_data import Plan, generate  # noqa: E402

MONDAY = date(2026, 3, 2)


def test_generated_sessions_are_busier_at_weekends_and_in_the_evening(engine: Engine) -> None:
    plan = Plan(sites=20, days=28, scale=0.25, first=MONDAY)
    made = generate(engine, plan)
    with engine.connect() as connection:
        rows = connection.execute(select(AcctSession.started_at, AcctSession.site_id)).all()
        kabupaten = connection.execute(
            text(
                "SELECT count(DISTINCT k.code) FROM sites s JOIN regions d ON d.id = s.region_id "
                "JOIN regions c ON c.id = d.parent_id JOIN regions k ON k.id = c.parent_id"
            )
        ).scalar_one()
        unrouted = connection.execute(
            text("SELECT count(*) FROM sites WHERE id NOT IN (SELECT site_id FROM routers)")
        ).scalar_one()
    assert made.sessions == len(rows)
    assert 0.8 < made.sessions / (20 * 28 * 50) < 1.2  # 200 a site-day at scale 1
    assert kabupaten == 10 and unrouted == 0
    # In WITA, as a village lives it (the sessions are stored in UTC).
    starts = [row.started_at.astimezone(ZoneInfo(DEFAULT_TIMEZONE)) for row in rows]
    days = Counter(moment.weekday() for moment in starts)
    weekend, weekdays = (days[5] + days[6]) / 2, sum(days[d] for d in range(5)) / 5
    assert weekend > 1.2 * weekdays
    hours = Counter(moment.hour for moment in starts)
    assert hours[20] > 4 * hours[3]
    assert {local_day(row.started_at, DEFAULT_TIMEZONE) for row in rows} <= {
        MONDAY + timedelta(days=n) for n in range(28)
    }


def test_the_year_is_archived_as_the_daily_job_leaves_it_and_every_index_is_rebuilt(
    engine: Engine, backend: str
) -> None:
    """Sessions that ended 14 days before the year's end are in their month; the indexes the
    bulk load dropped are back, on PostgreSQL on every partition (an index made `ON ONLY` the
    partitioned table stays invalid: the full-scale rollup read every partition through)."""
    plan = Plan(sites=10, days=60, scale=0.05, first=MONDAY)
    generate(engine, plan)
    with engine.connect() as connection:
        months = dict(
            connection.execute(
                text("SELECT archived_month, count(*) FROM sessions GROUP BY archived_month")
            ).all()
        )
        if backend == "postgresql":
            invalid = connection.execute(
                text(
                    "SELECT count(*) FROM pg_index i JOIN pg_partition_tree('sessions') t "
                    "ON t.relid = i.indrelid WHERE NOT i.indisvalid"
                )
            ).scalar_one()
            per_partition = connection.execute(
                text(
                    "SELECT count(*) FROM pg_partition_tree('sessions') t "
                    "JOIN pg_index i ON i.indrelid = t.relid WHERE t.isleaf GROUP BY t.relid"
                )
            ).scalars()
            assert invalid == 0
            assert set(per_partition) == {7}  # primary key, unique key, five indexes
    assert set(months) == {0, 202603, 202604}  # live: the last 14 days
    assert months[0] < months[202603]


@pytest.mark.slow
def test_the_bench_runs_to_the_end_on_both_databases_at_a_tiny_scale() -> None:
    command = [sys.executable, "scripts/bench_stats.py", "--sites", "10", "--days", "35"]
    command += ["--scale", "0.02", "--repeat", "1", "--deadline", "600"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    for backend in ("postgresql", "sqlite"):
        assert any(line.startswith(f"## {backend}: 10 sites x 35 days") for line in lines)
    calls = [line for line in lines if line.startswith("| `/")]
    assert len(calls) == 2 * 2 * 3 * 3  # both databases, page and API, 3 areas, 3 periods
    assert sum("monthly PDF report of the province" in line for line in lines) == 2
    assert lines[-1].startswith("missed goals:")
