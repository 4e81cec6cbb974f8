"""SQLite checkpoints leave the commit path: worker connections never checkpoint, a thread does."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from sqlalchemy import text

from radius.checkpoint import Checkpointer, disable_autocheckpoint, sqlite_path
from wifidesa.db.engine import make_engine


def test_worker_connections_leave_checkpoints_to_the_checkpointer(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'w.db'}")
    disable_autocheckpoint(engine)
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA wal_autocheckpoint")).scalar() == 0
    engine.dispose()


def test_checkpointer_copies_the_wal_into_the_database(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute("CREATE TABLE t (x BLOB)")
    writer.executemany("INSERT INTO t VALUES (?)", [(b"x" * 1000,)] * 500)
    before = path.stat().st_size
    checkpointer = Checkpointer(str(path), interval=0.02)
    checkpointer.start()
    try:
        deadline = time.monotonic() + 60
        while path.stat().st_size < before + 400_000 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        checkpointer.stop()
        writer.close()
    assert path.stat().st_size >= before + 400_000


def test_only_sqlite_files_have_a_path() -> None:
    assert sqlite_path("sqlite:////var/lib/wifidesa/db.sqlite") == "/var/lib/wifidesa/db.sqlite"
    assert sqlite_path("sqlite://") is None
    assert sqlite_path("postgresql+psycopg://u@localhost/wifidesa") is None
