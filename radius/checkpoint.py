"""SQLite: the WAL is copied back into the database by a thread of its own, not by a commit.

By default SQLite checkpoints inside the commit that pushes the WAL past 1,000 pages, and a
checkpoint syncs the WAL and the database to disk: on this project's VM that made one batch in
a hundred wait 30-45 ms, on the event loop, with every request behind it. The RADIUS workers
turn that off for their own connections (`disable_autocheckpoint`), and one of them runs a
`Checkpointer`: a PASSIVE checkpoint once a second, which never blocks a reader or a writer and
runs its disk syncs without the GIL. Commits are exactly as durable as before (the WAL with
synchronous=NORMAL); a checkpoint only moves pages.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url

log = logging.getLogger(__name__)


def sqlite_path(url: str) -> str | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return parsed.database


def disable_autocheckpoint(engine: Engine) -> None:
    """Connections of `engine` leave checkpoints to a Checkpointer."""

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA wal_autocheckpoint=0")

    event.listen(engine, "connect", on_connect)


class Checkpointer:
    def __init__(self, path: str, interval: float = 1.0) -> None:
        self.path, self.interval = path, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpoint", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        connection = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        try:
            while not self._stop.wait(self.interval):
                try:
                    connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except sqlite3.Error as exc:  # busy or gone: the next round tries again
                    log.warning("WAL checkpoint failed: %s", exc)
        finally:
            connection.close()
