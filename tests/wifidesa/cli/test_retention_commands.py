"""`wifidesa retention [--dry-run]` and the daily run in the `stats` service of `wifidesa serve`
clear old sessions' MAC, IP address and user name."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from wdtest.factories import make_router, make_site

from wifidesa.crypto import SecretBox
from wifidesa.db.engine import transaction
from wifidesa.db.models import AcctSession
from wifidesa.db.models.sessions import LIVE
from wifidesa.usage.accounting import record_accounting
from wifidesa.usage.records import AcctEvent, AcctRecord

SECRET_KEY = "retention-test-secret-key-0123456789-abc"
WIFIDESA = str(Path(sys.executable).parent / "wifidesa")
MAC = "02:DD:00:00:00:01"


def _old_sessions(sessions: sessionmaker[Session], box: SecretBox, count: int) -> None:
    """`count` sessions that ended 400 days ago, and one that ended yesterday."""
    now = datetime.now(UTC)
    with transaction(sessions) as session:
        site = make_site(session)
        router = make_router(session, box, site=site)
        session.flush()
        records = [
            AcctRecord(
                event=AcctEvent.STOP,
                router_id=router.id,
                site_id=site.id,
                event_time=now - timedelta(days=400 if n < count else 1),
                acct_session_id=f"91a0000{n}",
                username="tamu-02DD00000001",
                mac=MAC,
                framed_ip="10.5.50.9",
                session_time=600,
                output_octets=10**6,
            )
            for n in range(count + 1)
        ]
        record_accounting(session=session, records=records, box=box, now=now)


def _macs(sessions: sessionmaker[Session]) -> list[str | None]:
    with sessions() as session:
        return list(session.scalars(select(AcctSession.mac).order_by(AcctSession.started_at)))


def _env(db_url: str, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIFIDESA_")}
    extra = {f"WIFIDESA_{name.upper()}": value for name, value in settings.items()}
    return {
        **env,
        "WIFIDESA_DATABASE_URL": db_url,
        "WIFIDESA_SECRET_KEY": SECRET_KEY,
        "WIFIDESA_LOG_LEVEL": "INFO",
        **extra,
    }


def _wifidesa(
    db_url: str, cwd: Path, *args: str, **settings: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [WIFIDESA, *args], env=_env(db_url, **settings), cwd=cwd, capture_output=True, text=True
    )


def test_retention_clears_old_sessions_and_prints_one_line_of_counts(
    db_url: str, sessions: sessionmaker[Session], box: SecretBox, tmp_path: Path
) -> None:
    _old_sessions(sessions, box, 2)
    dry = _wifidesa(db_url, tmp_path, "retention", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.count("\n") == 1
    assert "2 sessions to clear" in dry.stdout and "nothing changed" in dry.stdout
    assert _macs(sessions) == [MAC, MAC, MAC]  # the dry run changed nothing

    done = _wifidesa(db_url, tmp_path, "retention")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("retention (kept 12 months, before ")
    assert "2 sessions cleared, 0 guest devices and 0 account devices removed" in done.stdout
    assert MAC not in done.stdout + done.stderr
    assert _macs(sessions) == [None, None, MAC]

    again = _wifidesa(db_url, tmp_path, "retention")
    assert "0 sessions cleared" in again.stdout


def test_a_retention_of_no_months_is_refused_in_one_line(
    db_url: str, sessions: sessionmaker[Session], box: SecretBox, tmp_path: Path
) -> None:
    _old_sessions(sessions, box, 1)
    for months in ("0", "-3"):
        refused = _wifidesa(db_url, tmp_path, "retention", retention_months=months)
        assert refused.returncode != 0
        assert refused.stdout == ""
        assert refused.stderr.count("\n") == 1
        assert "retention_months" in refused.stderr and "1 or more" in refused.stderr
    assert _macs(sessions) == [MAC, MAC]


def _archived(sessions: sessionmaker[Session]) -> list[bool]:
    with sessions() as session:
        months = session.scalars(
            select(AcctSession.archived_month).order_by(AcctSession.started_at)
        )
        return [month != LIVE for month in months]


def test_sessions_archive_moves_old_sessions_and_prints_one_line(
    db_url: str, sessions: sessionmaker[Session], box: SecretBox, tmp_path: Path
) -> None:
    _old_sessions(sessions, box, 2)
    dry = _wifidesa(db_url, tmp_path, "sessions", "archive", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout == "2 sessions that ended over 14 days ago to archive (dry run)\n"
    assert _archived(sessions) == [False, False, False]
    done = _wifidesa(db_url, tmp_path, "sessions", "archive")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("2 sessions that ended over 14 days ago archived (")
    assert _archived(sessions) == [True, True, False]  # yesterday's stays live
    refused = _wifidesa(db_url, tmp_path, "sessions", "archive", sessions_archive_days="7")
    assert refused.returncode != 0 and refused.stdout == ""
    assert refused.stderr.count("\n") == 1 and "8 or more" in refused.stderr


@pytest.mark.slow
def test_the_stats_service_applies_retention_soon_after_start_and_then_again(
    db_url: str, sessions: sessionmaker[Session], box: SecretBox, tmp_path: Path
) -> None:
    env = _env(db_url, stats_rollup_seconds="3600", retention_every_seconds="0.5")
    log = tmp_path / "serve.log"
    _old_sessions(sessions, box, 1)
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [WIFIDESA, "serve", "--only", "stats"], env=env, cwd=tmp_path, stdout=out, stderr=out
        )
    try:
        deadline = time.monotonic() + 30
        while _macs(sessions)[0] is not None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _macs(sessions) == [None, MAC], log.read_text()
        _old_sessions(sessions, box, 1)  # more old sessions: the next run clears them too
        while None not in _macs(sessions)[1:2] and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _macs(sessions) == [None, None, MAC, MAC], log.read_text()
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=30)
    output = log.read_text()
    assert code == 0, output
    assert "1 sessions cleared, 0 guest devices and 0 account devices removed" in output
    assert "1 sessions that ended over 14 days ago archived" in output  # before retention
    assert _archived(sessions) == [True, True, False, False]
    assert MAC not in output and "02DD00000001" not in output and "Traceback" not in output
