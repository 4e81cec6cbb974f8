"""The web service's count of the logins the captive portal refuses itself (a wrong voucher
code typed on our page never reaches RADIUS), for statistics: counted in memory per village,
local day and reason, and appended every `stats_login_flush_seconds` and when the service
stops, as the RADIUS workers count theirs (wifidesa.stats.logins)."""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from wifidesa.access.captive import HotspotClient, PortalProblem, client_site
from wifidesa.stats.logins import LoginCounter, portal_outcome

log = logging.getLogger(__name__)


class PortalLoginCounts:
    def __init__(self, *, write_sessions: sessionmaker[Session], every_seconds: float) -> None:
        # The web service's writer engine takes the writer lock in every transaction itself.
        self.writes, self.every_seconds = write_sessions, every_seconds
        self.counter = LoginCounter()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def refused(
        self,
        *,
        read_sessions: sessionmaker[Session],
        client: HotspotClient,
        problem: PortalProblem,
        at: datetime,
    ) -> None:
        """Count a login the portal refused, at the village of the router its page names."""
        outcome = portal_outcome(problem)
        if outcome is None:
            return
        with read_sessions() as session:
            site = client_site(session=session, client=client)
        if site is not None:
            site_id, zone = site
            self.counter.add(site_id=site_id, zone=zone, at=at, outcome=outcome)

    def flush(self) -> int:
        return self.counter.flush(sessions=self.writes, lock=None)

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="login-counts", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread and store what was counted since its last flush."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        try:
            self.flush()
        except Exception as exc:
            log.error("portal login counts of the last interval not stored: %s", type(exc).__name__)

    def _loop(self) -> None:
        while not self._stop.wait(self.every_seconds):
            try:
                self.flush()
            except Exception as exc:  # the database is down: kept for the next flush
                log.warning("portal login counts not stored, kept: %s", type(exc).__name__)
