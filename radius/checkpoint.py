"""SQLite: the WAL is copied back into the database by a thread of its own, not by a commit.

By default SQLite checkpoints inside the commit that pushes the WAL past 1,000 pages, and a
checkpoint syncs the WAL and the database to disk: on this project's VM that made one batch in
a hundred wait 30-45 ms, on the event loop, with every request behind it. The RADIUS workers
turn that off for their own connections (`disable_autocheckpoint`), and one of them runs a
`Checkpointer`: a PASSIVE checkpoint once a second, which never blocks a reader or a writer and
runs its disk syncs without the GIL. Commits are exactly as durable as before (the WAL with
synchronous=NORMAL); a checkpoint only moves pages.

A PASSIVE checkpoint copies pages but never starts the WAL over: SQLite writes from the top of
the file again only when a writer begins after a checkpoint copied every frame, and under
sustained traffic a commit always lands while it runs (a 7-minute soak grew the WAL to 448 MiB -
1 GiB against a 6 MiB database). So when the log holds more than `WAL_LIMIT` bytes of frames the
Checkpointer takes the service's writer lock (`WriterLock`: no RADIUS or web writer is
mid-transaction, and they queue on the lock rather than poll) and runs a RESTART checkpoint: it
copies the few frames the PASSIVE round left, waits at most `RESTART_WAIT` for the readers of
older snapshots (new readers read the database file meanwhile and are not held up), and the next
writer starts the log over at the top of the file, which SQLite then cuts back to the engine's
`journal_size_limit`. The lock is held for 3-8 ms at 2,800 requests a second (`make soak`); a
TRUNCATE checkpoint, which also cuts the file to nothing and makes every writer after it grow
it again, held it for 23-35 ms, every 3 s at that rate. If a reader outlasts the wait, the next
round tries again.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from contextlib import AbstractContextManager, nullcontext
from typing import Any, Protocol

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url

log = logging.getLogger(__name__)

WAL_LIMIT = 64 << 20  # bytes of frames in the WAL that start it over
RESTART_WAIT = 0.5  # seconds a restarting checkpoint waits for readers (writers wait as long)
_FRAME_HEADER = 24  # bytes before each page in the WAL


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
    starts the WAL over under `lock` when it holds more than `limit` bytes of frames."""

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
        self.restarts = 0
        self._restarted = -1  # frames in the log when it was last started over
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpoint", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        # The busy timeout only bounds the restarting checkpoint's wait: PASSIVE never waits.
        connection = sqlite3.connect(self.path, timeout=RESTART_WAIT, isolation_level=None)
        try:
            frame = connection.execute("PRAGMA page_size").fetchone()[0] + _FRAME_HEADER
            while not self._stop.wait(self.interval):
                try:
                    _, frames, _ = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                    # What the log holds, not the file's size: after a restart the file keeps
                    # its size (up to journal_size_limit) and is written again from the top.
                    # Until a writer comes, the log still counts the frames it had.
                    if frames * frame > self.limit and frames != self._restarted:
                        self._restart(connection, frames)
                except sqlite3.Error as exc:  # busy or gone: the next round tries again
                    log.warning("WAL checkpoint failed: %s", exc)
        finally:
            connection.close()

    def _restart(self, connection: sqlite3.Connection, frames: int) -> None:
        with self.lock.held() if self.lock else nullcontext():
            busy, frames, _ = connection.execute("PRAGMA wal_checkpoint(RESTART)").fetchone()
        if busy:  # a reader held an old snapshot past RESTART_WAIT: again next round
            log.debug("WAL of %d frames not started over yet: readers busy", frames)
            return
        self.restarts += 1
        self._restarted = frames
        log.debug("WAL of %d frames started over", frames)
