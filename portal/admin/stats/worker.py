"""The web service's export worker: a thread that makes the statistics exports admins queued
(wifidesa.stats.exports) and forgets old ones. It looks for work with a plain read each second
and takes the write lock only to claim an export it found (or to forget old ones it found),
so an idle worker never stands in the RADIUS writers' way on SQLite. The queue is read in the
main database; only the exports' reports are read where statistics are (`report_sessions`: a
replica when one is set), since a replica may not have the export that was just queued."""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from wifidesa.db.engine import transaction, utcnow
from wifidesa.db.models import ExportFormat, ExportState, StatsExport
from wifidesa.stats.exports import KEEP, QUIET, Renderer, claim_next, purge_exports, run_export

log = logging.getLogger(__name__)

POLL_SECONDS = 1.0
PURGE_EVERY = 3600  # polls between purges of old exports


class ExportWorker:
    def __init__(
        self,
        *,
        read_sessions: sessionmaker[Session],
        write_sessions: sessionmaker[Session],
        report_sessions: sessionmaker[Session],
        renderers: Mapping[ExportFormat, Renderer],
        poll_seconds: float = POLL_SECONDS,
    ) -> None:
        self.reads, self.writes, self.renderers = read_sessions, write_sessions, renderers
        self.reports = report_sessions
        self.poll_seconds = poll_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the worker thread (again, for an app whose lifespan runs more than once)."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="stats-exports", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def _waiting(self) -> bool:
        now = utcnow()
        with self.reads() as session:
            found = session.scalar(
                select(StatsExport.id)
                .where(
                    or_(
                        StatsExport.state == ExportState.QUEUED,
                        (StatsExport.state == ExportState.RUNNING)
                        & (StatsExport.heartbeat_at < now - QUIET),
                    )
                )
                .limit(1)
            )
        return found is not None

    def _forgettable(self) -> bool:
        with self.reads() as session:
            found = session.scalar(
                select(StatsExport.id).where(StatsExport.finished_at < utcnow() - KEEP).limit(1)
            )
        return found is not None

    def run_once(self) -> bool:
        """Make one waiting export, if any; whether one was made."""
        if not self._waiting():
            return False
        with transaction(self.writes) as session:
            export_id = claim_next(session=session, now=utcnow())
        if export_id is None:
            return False  # another worker took it
        state = run_export(
            read_sessions=self.reports,
            write_sessions=self.writes,
            lock=None,  # the web's write engine takes SQLite's writer lock itself
            export_id=export_id,
            clock=utcnow,
            renderers=self.renderers,
        )
        log.info("statistics export %s", state.value)
        return True

    def _loop(self) -> None:
        polls = 0
        while not self._stop.is_set():
            try:
                made = self.run_once()
                polls += 1
                if polls % PURGE_EVERY == 1 and self._forgettable():
                    with transaction(self.writes) as session:
                        purge_exports(session=session, now=utcnow())
            except Exception as exc:  # the database is down: try again at the next poll
                log.error("statistics exports: %s", type(exc).__name__)
                made = False
            if not made:
                self._stop.wait(self.poll_seconds)
