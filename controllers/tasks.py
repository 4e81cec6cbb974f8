"""The controllers' task worker: router tasks done over the RouterOS API (kicks, hotspot
files, reads of the active list), claimed from the core's outbox (wifidesa.fleet.tasks).

It runs as a loop of its own in a thread of the `poller` service (a kick is due seconds after
the Disconnect it replaces went unanswered, not at the next poll round), and as `wifidesa
routers run-tasks [--once]`. Each round claims the due tasks in one short transaction, works
through each router's tasks on a connection of their own (routeros-api serves one user at a
time; the poller's connections stay the poller's), in a small pool of threads, one router per
thread, and records each outcome in a transaction of its own. A router whose API is not
configured fails its tasks at once with that reason; any other failure is tried again after
the outbox's backoff. It also queues each router's daily read of the active list.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker

from controllers.connection import ActiveUser
from controllers.failures import RouterError
from wifidesa.crypto import SecretBox
from wifidesa.db.engine import WriterLock, transaction, utcnow
from wifidesa.db.models import Router, TaskKind, TaskState
from wifidesa.fleet import tasks
from wifidesa.fleet.targets import ApiTarget, api_targets
from wifidesa.fleet.task_requests import schedule_read_active
from wifidesa.places.hotspot_files import render_hotspot_files
from wifidesa.usage.kicks import KickTarget, kick_target, record_kick
from wifidesa.usage.reconcile import record_read

log = logging.getLogger(__name__)

# What one round claims, in order, and how many at most (see TaskWorker._claim).
CLAIM_ORDER = (
    (TaskKind.KICK, 100),
    (TaskKind.PUSH_HOTSPOT_FILES, 50),
    (TaskKind.READ_ACTIVE, 20),
)

NOT_CONFIGURED = "the router's RouterOS API is not configured"
HOTSPOT_DIRECTORY = "hotspot"  # RouterOS's default html-directory of a hotspot profile
SCHEDULE_EVERY = 600.0  # seconds between looks for routers due their daily read


class Connection(Protocol):
    def kick(self, *, user: str | None = None, mac: str | None = None) -> int: ...

    def active_users(self) -> list[ActiveUser]: ...

    def put_file(self, name: str, content: bytes) -> None: ...

    def close(self) -> None: ...


Connect = Callable[[ApiTarget], Connection]


@dataclass(frozen=True)
class Job:
    """A claimed task with what it needs, read in the claim's transaction."""

    task: tasks.Claimed
    kick: KickTarget | None = None
    files: dict[str, bytes] | None = None


class TaskWorker:
    """Does the due API tasks round by round. One caller runs the rounds."""

    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        lock: WriterLock,
        box: SecretBox,
        connect: Connect,
        threads: int = 4,
        tls_ca_file: str | None = None,
        clock: Callable[[], datetime] = utcnow,
        schedule_every: float | None = SCHEDULE_EVERY,
    ) -> None:
        """`schedule_every`: seconds between looks for routers due their daily read of the
        active list (None: never, for tests of other tasks)."""
        self.sessions, self.lock, self.box = sessions, lock, box
        self.schedule_every = schedule_every
        self.connect, self.clock, self.tls_ca_file = connect, clock, tls_ca_file
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="task")
        self._scheduled_at: float | None = None

    def round(self) -> int:
        """Claim the due tasks and do them; how many were done, failed or tried. Mostly a
        cheap read finds none due, and nothing more is done (no lock, no secret decrypted)."""
        now = self.clock()
        with transaction(self.sessions) as session:
            due = tasks.due_soon(session=session, kinds=tasks.API_KINDS, now=now)
        if not due and not self._schedule_due():
            return 0
        with self.lock.held(), transaction(self.sessions) as session:
            if tasks.requeue_expired(session=session, kinds=tasks.API_KINDS, now=now):
                log.warning("router tasks cut short by a restart, queued again")
            targets = {
                t.router_id: t
                for t in api_targets(session=session, box=self.box, tls_ca_file=self.tls_ca_file)
            }
            self._schedule(session, sorted(targets), now)
            claimed = self._claim(session, now)
            by_router: dict[int, list[Job]] = defaultdict(list)
            for task in claimed:
                if task.router_id not in targets:
                    tasks.finish(
                        session=session,
                        claimed=task,
                        state=TaskState.FAILED,
                        now=now,
                        outcome=NOT_CONFIGURED,
                    )
                    continue
                by_router[task.router_id].append(self._job(session, task))
        list(self.pool.map(lambda rid: self._work(targets[rid], by_router[rid]), by_router))
        return len(claimed)

    @staticmethod
    def _claim(session: Session, now: datetime) -> list[tasks.Claimed]:
        """Kicks first (a villager an admin cut off is still online), then hotspot pages, then
        a few reads of active lists: the daily reads of a thousand routers, due at once, must
        not keep a kick waiting for rounds of slow VSAT reads."""
        claimed: list[tasks.Claimed] = []
        for kind, limit in CLAIM_ORDER:
            claimed += tasks.claim_due(session=session, kinds={kind}, now=now, limit=limit)
        return claimed

    def _schedule_due(self) -> bool:
        last, every = self._scheduled_at, self.schedule_every
        return every is not None and (last is None or time.monotonic() - last >= every)

    def _schedule(self, session: Session, router_ids: list[int], now: datetime) -> None:
        if not self._schedule_due():
            return
        self._scheduled_at = time.monotonic()
        if queued := schedule_read_active(session=session, router_ids=router_ids, now=now):
            log.info("queued the daily read of the active list of %d router(s)", queued)
        if purged := tasks.purge(session=session, now=now):  # finished over a month ago
            log.info("forgot %d finished router task(s)", purged)

    @staticmethod
    def _job(session: Session, task: tasks.Claimed) -> Job:
        if task.kind is TaskKind.KICK:
            return Job(task, kick=kick_target(session=session, session_id=task.session_id))
        if task.kind is TaskKind.PUSH_HOTSPOT_FILES:
            router = session.get_one(Router, task.router_id)
            pages = render_hotspot_files(
                router_name=router.name, portal_url=str(task.payload.get("portal_url", ""))
            )
            return Job(task, files={name: text.encode() for name, text in pages.items()})
        return Job(task)

    def _work(self, target: ApiTarget, jobs: Sequence[Job]) -> None:
        connection = self.connect(target)
        try:
            for job in jobs:
                self._do(connection, job)
        finally:
            connection.close()

    def _do(self, connection: Connection, job: Job) -> None:
        task = job.task
        try:
            if task.kind is TaskKind.KICK:
                self._kick(connection, job)
            elif task.kind is TaskKind.PUSH_HOTSPOT_FILES:
                self._push(connection, job)
            else:
                self._read(connection, job)
        except RouterError as error:
            # `detail` is redacted (controllers.failures): no password, no command sentence.
            self._retry(task, f"{error.failure}: {error.detail}")
        except Exception as exc:  # one task's surprise costs the others nothing
            log.error("router task %d (%s) failed: %s", task.id, task.kind, type(exc).__name__)
            self._retry(task, f"error: {type(exc).__name__}")

    def _record(self, write: Callable[[Session, datetime], object]) -> None:
        with self.lock.held(), transaction(self.sessions) as session:
            write(session, self.clock())

    def _retry(self, task: tasks.Claimed, outcome: str) -> None:
        def write(session: Session, now: datetime) -> None:
            state = tasks.retry_later(session=session, claimed=task, outcome=outcome, now=now)
            log.info("router task %d (%s) failed, %s: %s", task.id, task.kind, state, outcome)

        self._record(write)

    def _kick(self, connection: Connection, job: Job) -> None:
        target = job.kick
        removed = None
        if target is not None and target.open:
            removed = connection.kick(user=target.username, mac=target.mac)
        self._record(
            lambda session, now: record_kick(
                session=session, claimed=job.task, removed=removed, now=now
            )
        )
        log.info(
            "router task %d: kick of session %s: %s removed",
            job.task.id,
            job.task.session_id,
            removed,
        )

    def _push(self, connection: Connection, job: Job) -> None:
        files = job.files or {}
        for name, content in files.items():
            connection.put_file(f"{HOTSPOT_DIRECTORY}/{name}", content)
        outcome = f"wrote {len(files)} files, {sum(map(len, files.values()))} bytes"
        self._record(
            lambda session, now: tasks.finish(
                session=session, claimed=job.task, state=TaskState.DONE, now=now, outcome=outcome
            )
        )

    def _read(self, connection: Connection, job: Job) -> None:
        read_at = self.clock()
        active = [(user.user, user.mac_address) for user in connection.active_users()]
        self._record(
            lambda session, now: record_read(
                session=session, claimed=job.task, active=active, read_at=read_at, now=now
            )
        )

    def run(self, *, every: float, stop: threading.Event) -> None:
        """Rounds every `every` seconds until `stop` is set (a cheap look when none is due)."""
        while not stop.is_set():
            try:
                self.round()
            except Exception as exc:  # the database is down: the next round tries again
                log.error("router task round failed: %s", type(exc).__name__)
            stop.wait(every)

    def close(self) -> None:
        self.pool.shutdown(wait=True)
