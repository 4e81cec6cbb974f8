"""SQLite: the WAL is copied back into the database by a thread of its own, not by a commit.

By default SQLite checkpoints inside the commit that pushes the WAL past 1,000 pages, and a
checkpoint syncs the WAL and the database to disk: on this project's VM that made one batch in
a hundred wait 30-45 ms, on the event loop, with every request behind it. The RADIUS workers
turn that off for their own connections (`disable_autocheckpoint`), and one of them runs a
`Checkpointer`: a PASSIVE checkpoint once a second, which never blocks a reader or a writer and
runs its disk syncs without the GIL. Commits are exactly as durable as before (the WAL with
synchronous=NORMAL); a checkpoint only moves pages.

A PASSIVE checkpoint copies pages but never empties the WAL: SQLite starts the WAL over only when
a writer begins while no reader is using it, and under sustained traffic some reader always is
(a 7-minute soak grew it to 448 MiB - 1 GiB against a 6 MiB database). So when the WAL passes
`WAL_LIMIT` the Checkpointer takes the service's writer lock (`WriterLock`: no RADIUS or web
writer is mid-transaction, and they queue on the lock rather than poll) and runs a TRUNCATE
checkpoint, which waits at most `TRUNCATE_WAIT` for the readers of older snapshots to finish
(new readers read the database file meanwhile and are not held up) and empties the file. The
pages were mostly copied by the PASSIVE rounds already, so writers wait for little more than
that. If a reader outlasts the wait, the next round tries again.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from contextlib import AbstractContextManager, nullcontext
from typing import Any, Protocol

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url

log = logging.getLogger(__name__)

WAL_LIMIT = 64 << 20  # bytes of WAL that trigger a truncating checkpoint
TRUNCATE_WAIT = 0.5  # seconds a truncating checkpoint waits for readers (writers wait as long)


class Lock(Protocol):
    def held(self) -> AbstractContextManager[None]: ...


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
    """Checkpoints the database at `path` every `interval` seconds from a thread of its own, and
    empties the WAL under `lock` when it has grown past `limit` bytes."""

    def __init__(
        self,
        path: str,
        interval: float = 1.0,
        *,
        limit: int = WAL_LIMIT,
        lock: Lock | None = None,
    ) -> None:
        self.path, self.interval, self.limit = path, interval, limit
        self.lock = lock
        self.truncations = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpoint", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        # The busy timeout only bounds the truncating checkpoint's wait: PASSIVE never waits.
        connection = sqlite3.connect(self.path, timeout=TRUNCATE_WAIT, isolation_level=None)
        try:
            while not self._stop.wait(self.interval):
                try:
                    connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                    if self._wal_size() > self.limit:
                        self._truncate(connection)
                except sqlite3.Error as exc:  # busy or gone: the next round tries again
                    log.warning("WAL checkpoint failed: %s", exc)
        finally:
            connection.close()

    def _wal_size(self) -> int:
        try:
            return os.path.getsize(f"{self.path}-wal")
        except OSError:
            return 0

    def _truncate(self, connection: sqlite3.Connection) -> None:
        before = self._wal_size()
        with self.lock.held() if self.lock else nullcontext():
            busy, _, _ = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy:  # a reader held an old snapshot past TRUNCATE_WAIT: again next round
            log.debug("WAL of %d bytes not emptied yet: readers busy", before)
            return
        self.truncations += 1
        log.debug("WAL of %d bytes emptied", before)
