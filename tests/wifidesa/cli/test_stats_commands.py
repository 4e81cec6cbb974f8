"""`wifidesa stats rollup` and the `stats` service of `wifidesa serve` recompute the site-days
that accounting marked."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker
from wdtest.factories import make_router, make_site
from wdtest.radius_service import children_of

from wifidesa.crypto import SecretBox
from wifidesa.db.engine import transaction
from wifidesa.db.models import DirtyDay, LoginCount, SiteDay
from wifidesa.stats.logins import append_counts, login_counts
from wifidesa.usage.accounting import record_accounting
from wifidesa.usage.records import AcctEvent, AcctRecord

SECRET_KEY = "stats-test-secret-key-0123456789-abcdef"
WIFIDESA = str(Path(sys.executable).parent / "wifidesa")


def _accounting(sessions: sessionmaker[Session], box: SecretBox, sessions_count: int) -> int:
    now = datetime.now(UTC)
    with transaction(sessions) as session:
        site = make_site(session)
        router = make_router(session, box, site=site)
        session.flush()
        records = [
            AcctRecord(
                event=AcctEvent.INTERIM,
                router_id=router.id,
                site_id=site.id,
                event_time=now - timedelta(days=n),
                acct_session_id=f"81a0000{n}",
                username="guest",
                session_time=600,
                output_octets=10**6,
            )
            for n in range(sessions_count)
        ]
        record_accounting(session=session, records=records, box=box, now=now)
        return site.id


def _env(db_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIFIDESA_")}
    return {
        **env,
        "WIFIDESA_DATABASE_URL": db_url,
        "WIFIDESA_SECRET_KEY": SECRET_KEY,
        "WIFIDESA_LOG_LEVEL": "INFO",
    }


def _rows(sessions: sessionmaker[Session], site_id: int) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count()).where(SiteDay.site_id == site_id)) or 0)


def test_rollup_recomputes_what_accounting_marked_and_merges_login_counts(
    db_url: str, sessions: sessionmaker[Session], box: SecretBox, tmp_path: Path
) -> None:
    site_id = _accounting(sessions, box, 3)  # three sessions on three days
    day = datetime.now(UTC).date()
    for count in (2, 5):  # two flushes of one worker
        with transaction(sessions) as session:
            append_counts(session=session, counts={(site_id, day, "accepted:voucher"): count})
    run = [WIFIDESA, "stats", "rollup"]
    first = subprocess.run(run, env=_env(db_url), cwd=tmp_path, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("3 site-days recomputed, 1 login count row(s) merged away in ")
    assert _rows(sessions, site_id) == 3
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(LoginCount)) == 1
        (total,) = login_counts(session=session, site_ids=[site_id], first=day, last=day)
    assert total.count == 7
    again = subprocess.run(run, env=_env(db_url), cwd=tmp_path, capture_output=True, text=True)
    assert again.stdout.startswith("0 site-days recomputed, 0 login count row(s)")


def test_rollup_all_recomputes_every_day_with_figures(
    db_url: str, sessions: sessionmaker[Session], box: SecretBox, tmp_path: Path
) -> None:
    site_id = _accounting(sessions, box, 2)
    run = [WIFIDESA, "stats", "rollup"]
    subprocess.run(run, env=_env(db_url), cwd=tmp_path, check=True, capture_output=True)
    with transaction(sessions) as session:  # rows from before an upgrade added a figure
        session.execute(update(SiteDay).values(len_15m=0))
    every = subprocess.run(
        [*run, "--all"], env=_env(db_url), cwd=tmp_path, capture_output=True, text=True
    )
    assert every.stdout.startswith("2 site-days recomputed"), every.stderr
    with sessions() as session:
        counts = session.scalars(select(SiteDay.len_15m).where(SiteDay.site_id == site_id))
        assert list(counts) == [1, 1]  # each day's ten-minute session


@pytest.mark.slow
def test_the_stats_service_catches_up_and_stops_on_sigterm(
    db_url: str, sessions: sessionmaker[Session], box: SecretBox, tmp_path: Path
) -> None:
    env = {**_env(db_url), "WIFIDESA_STATS_ROLLUP_SECONDS": "0.2"}
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [WIFIDESA, "serve", "--only", "stats"], env=env, cwd=tmp_path, stdout=out, stderr=out
        )
    try:
        site_id = _accounting(sessions, box, 2)
        deadline = time.monotonic() + 30
        while _rows(sessions, site_id) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _rows(sessions, site_id) == 2, log.read_text()
        names = {Path(f"/proc/{pid}/comm").read_text().strip() for pid in children_of(proc.pid)}
        assert "wifidesa-stats" in names  # ps and top tell the spawned services apart
        with sessions() as session:
            assert session.scalar(select(func.count()).select_from(DirtyDay)) == 0
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=30)
    output = log.read_text()
    assert code == 0, output
    assert "2 site-days recomputed" in output and "Traceback" not in output
