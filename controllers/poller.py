"""Every router polled over the RouterOS API on a schedule; what each poll found handed to the
core (wifidesa.fleet) in one transaction per round.

routeros-api is blocking and a connection serves one user at a time, so the round runs in a
pool of threads, each router's connection used by one thread at a time and kept open between
rounds (on a ~700 ms VSAT round trip a new connection and login cost three or four round trips
before the first command). A router appears once per round, so two threads never share one.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session, sessionmaker

from wifidesa.crypto import SecretBox
from wifidesa.db.engine import WriterLock, transaction, utcnow
from wifidesa.fleet.samples import Failure, Sample
from wifidesa.fleet.targets import ApiTarget, api_targets

log = logging.getLogger(__name__)


class Connection(Protocol):
    def poll(self, now: datetime) -> Sample: ...

    def close(self) -> None: ...


Connect = Callable[[ApiTarget], Connection]
Record = Callable[[Session, Sequence[Sample], datetime], Any]


@dataclass(frozen=True)
class Round:
    """What one round did, for the log and `wifidesa routers poll --once`."""

    started: datetime
    seconds: float
    polled: int
    failures: Counter[Failure] = field(default_factory=Counter)

    @property
    def answered(self) -> int:
        return self.polled - sum(self.failures.values())

    def describe(self) -> str:
        text = f"polled {self.polled} router(s) in {self.seconds:.1f} s: {self.answered} answered"
        if self.failures:
            kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(self.failures.items()))
            text += f", {sum(self.failures.values())} did not ({kinds})"
        return text


class Poller:
    """Polls the fleet round by round. Not thread-safe itself: one caller runs the rounds."""

    def __init__(
        self,
        *,
        read_sessions: sessionmaker[Session],
        write_sessions: sessionmaker[Session],
        lock: WriterLock,
        box: SecretBox,
        connect: Connect,
        record: Record,
        threads: int,
        tls_ca_file: str | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.read_sessions, self.write_sessions = read_sessions, write_sessions
        self.lock, self.box = lock, box
        self.connect, self.record, self.clock = connect, record, clock
        self.tls_ca_file = tls_ca_file
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="poll")
        self.connections: dict[int, tuple[ApiTarget, Connection]] = {}
        self._told_unchecked_tls = False

    def round(self) -> Round:
        started, began = self.clock(), time.monotonic()
        with transaction(self.read_sessions) as session:
            targets = api_targets(session=session, box=self.box, tls_ca_file=self.tls_ca_file)
        self._forget_changed(targets)
        self._tell_unchecked_tls(targets)
        samples = list(self.pool.map(self._poll_one, targets))
        with self.lock.held(), transaction(self.write_sessions) as session:
            self.record(session, samples, self.clock())
        return Round(
            started=started,
            seconds=time.monotonic() - began,
            polled=len(samples),
            failures=Counter(s.failure for s in samples if s.failure is not None),
        )

    def _tell_unchecked_tls(self, targets: Sequence[ApiTarget]) -> None:
        """Once a process: routers reached over API-SSL while no CA is set are encrypted but
        not authenticated (anyone on the path can pose as the router and read the password)."""
        if self._told_unchecked_tls or self.tls_ca_file:
            return
        unchecked = sum(1 for target in targets if target.use_tls)
        if unchecked:
            self._told_unchecked_tls = True
            log.warning(
                "%d router(s) reached over API-SSL without WIFIDESA_API_TLS_CA_FILE: "
                "encrypted, but their certificates are not checked",
                unchecked,
            )

    def _forget_changed(self, targets: Sequence[ApiTarget]) -> None:
        """Close the connections of routers that are gone or whose address or user changed."""
        wanted = {t.router_id: t for t in targets}
        for router_id, (target, conn) in list(self.connections.items()):
            if wanted.get(router_id) != target:
                del self.connections[router_id]
                conn.close()

    def _poll_one(self, target: ApiTarget) -> Sample:
        entry = self.connections.get(target.router_id)
        if entry is None:
            entry = self.connections[target.router_id] = (target, self.connect(target))
        now = self.clock()
        try:
            return entry[1].poll(now)
        except Exception as exc:  # a connection's poll never raises; if it did, one router fails
            log.error("poll of router %d failed: %s", target.router_id, type(exc).__name__)
            del self.connections[target.router_id]
            entry[1].close()
            return Sample(router_id=target.router_id, at=now, failure=Failure.PROTOCOL)

    def run(self, *, every: float, stop: threading.Event) -> None:
        """Rounds every `every` seconds, start to start (a round longer than that is followed
        at once by the next, and logged), until `stop` is set."""
        while not stop.is_set():
            began = time.monotonic()
            try:
                done = self.round()
            except Exception as exc:  # the database is down: the next round tries again
                log.error("poll round failed: %s", type(exc).__name__)
            else:
                log.info("%s", done.describe())
                if done.seconds > every:
                    log.warning("a round took %.0f s, longer than %.0f s", done.seconds, every)
            stop.wait(max(0.0, every - (time.monotonic() - began)))

    def close(self) -> None:
        self.pool.shutdown(wait=True)
        for _, conn in self.connections.values():
            conn.close()
        self.connections.clear()
