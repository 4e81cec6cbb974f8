"""One RADIUS worker: authenticate packets, batch them, ask the core, answer after commit.

Datagrams arrive either straight from the UDP sockets (one process) or from the dispatcher
(several processes). Requests that arrive together form a batch that one database thread
handles in one transaction; while it runs, the next batch gathers. Accounting-Responses go out
only after their batch is committed: if the database is down there is no answer, and the
router sends again.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from radius import packets
from radius.batching import Batcher, Item
from radius.checkpoint import Checkpointer, disable_autocheckpoint, sqlite_path
from radius.dictionary import Code
from radius.enforcer import Enforcer
from radius.latency import Latencies, arrival, timestamp_arrivals
from radius.login_counts import LoginCounts
from radius.memory import collect_garbage
from radius.ratelimit import RateLimitedLog
from radius.replycache import PENDING, ReplyCache
from wifidesa.access.logins import LoginDecision, LoginRequest, WritesNeeded, decide_logins
from wifidesa.access.tokens import purge_tokens
from wifidesa.clock import Clock, make_clock
from wifidesa.crypto import SecretBox
from wifidesa.db.engine import WriterLock, make_engine, make_session_factory, transaction
from wifidesa.places.routers import NasClient, nas_clients
from wifidesa.settings import Settings
from wifidesa.usage.accounting import AcctCache, AcctResult
from wifidesa.usage.records import AcctRecord
from wifidesa.usage.storing import store_accounting
from wifidesa.usage.upkeep import reap_silent_sessions, touch_routers

log = logging.getLogger(__name__)

HOUSEKEEPING_SECONDS = 15.0
_ANCILLARY = socket.CMSG_SPACE(16)  # room for the kernel's receive time (radius.latency)
REAP_SECONDS = 60.0


class RadiusWorker:
    def __init__(
        self,
        settings: Settings,
        *,
        auth_sock: socket.socket,
        acct_sock: socket.socket,
        clock: Clock | None = None,  # None: the settings' (the system's, but in tests)
        reaper: bool = True,
        answers_logins: bool = True,  # False: SQLite's accounting worker beside login workers
    ) -> None:
        self.settings = settings
        self.answers_logins = answers_logins
        self.clock = clock if clock is not None else make_clock(settings)
        self.reaper = reaper
        self.socks = {Code.ACCESS_REQUEST: auth_sock, Code.ACCOUNTING_REQUEST: acct_sock}
        self.engine = make_engine(
            settings.resolved_database_url,
            sqlite_immediate=True,
            busy_timeout_ms=settings.sqlite_busy_timeout_ms,
            pre_ping=False,
            custom_plans=True,  # accounting: sessions grow by thousands a minute
        )
        self.sessions: sessionmaker[Session] = make_session_factory(self.engine)
        self.writer_lock = WriterLock(settings.resolved_database_url)
        # Logins are decided by reading first, and again under the write lock only if they
        # change something. SQLite: transactions that start deferred, without the write lock;
        # PostgreSQL: autocommit, without BEGIN and COMMIT round trips.
        # (An SQLite database in memory has one connection's worth of data: the same engine.)
        in_memory = self.engine.dialect.name == "sqlite" and not self.writer_lock.path
        self.reader = self.engine
        if not in_memory:
            self.reader = make_engine(
                settings.resolved_database_url,
                busy_timeout_ms=settings.sqlite_busy_timeout_ms,
                pre_ping=False,
                autocommit=not self.writer_lock.path,
            )
        self.read_sessions = make_session_factory(self.reader)
        path = sqlite_path(settings.resolved_database_url)
        self.checkpointer = Checkpointer(path, lock=self.writer_lock) if path and reaper else None
        if path:
            disable_autocheckpoint(self.engine)
        self.box = SecretBox.from_settings(settings)
        self.cache = ReplyCache(ttl=settings.radius_reply_cache_seconds)
        self.clients: dict[str, NasClient] = {}
        self.acct_cache = AcctCache()
        self.seen_routers: set[int] = set()
        self.problems = RateLimitedLog()
        self.latencies = Latencies(settings.radius_latency_log_seconds)
        self.counts: dict[str, int] = {}
        self._tasks: set[asyncio.Future[Any]] = set()
        self._acct_db = ThreadPoolExecutor(1, thread_name_prefix="radius-acct-db")
        self.logins = LoginCounts(  # for statistics, appended every so often
            sessions=self.sessions,
            lock=self.writer_lock,
            executor=self._acct_db,
            clients=lambda: self.clients,
            default_zone=settings.timezone,
            problems=self.problems,
        )
        self._batchers: dict[Code, Batcher] = {}
        self._last_reap = 0.0
        self.enforcer = Enforcer(
            clock=self.clock,
            sessions=self.sessions,
            read_sessions=self.read_sessions,
            writer_lock=self.writer_lock,
            executor=self._acct_db,
            track=self.track,
            count=self._count,
            clients=lambda: self.clients,
        )

    # -- lifecycle -------------------------------------------------------------------------
    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self.clients = await loop.run_in_executor(self._acct_db, self._load_clients)
        # Logins are decided on the loop. SQLite accounting, which may wait seconds for the write
        # lock, runs in the database thread so that logins never queue behind it (at a cost: one
        # worker answered ~11,000/s instead of 12,000-15,000 in a quick bench), unless this
        # worker answers no logins (radius.dispatcher: SQLite's accounting worker).
        acct_in_thread = bool(self.writer_lock.path) and self.answers_logins
        self._batchers = {
            Code.ACCESS_REQUEST: Batcher(
                self.track, self._decide, self._answer_auth, what="login batch"
            ),
            Code.ACCOUNTING_REQUEST: Batcher(
                self.track,
                self._store,
                self._answer_acct,
                executor=self._acct_db if acct_in_thread else None,
                what="accounting batch",
            ),
        }
        self.track(asyncio.ensure_future(self._housekeeping()))
        if self.answers_logins:
            self.track(asyncio.ensure_future(self.logins.store_every(self.settings)))
        if self.reaper:
            self.track(asyncio.ensure_future(self.enforcer.watch_queue(HOUSEKEEPING_SECONDS)))
        if self.checkpointer is not None:
            self.checkpointer.start()

    def track(self, task: asyncio.Future[Any]) -> None:
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.logins.store_last()
        self.latencies.log_if_due(last=True)
        self._acct_db.shutdown(wait=True)
        if self.checkpointer is not None:
            self.checkpointer.stop()
        self.engine.dispose()
        self.reader.dispose()

    def listen_udp(self, codes: Iterable[Code] = tuple(Code)) -> None:
        """Read these UDP sockets directly (all of them in single-process mode)."""
        loop = asyncio.get_running_loop()
        for code, sock in self.socks.items():
            if code in codes:
                sock.setblocking(False)
                timestamp_arrivals(sock)
                loop.add_reader(sock.fileno(), self._drain_udp, sock, code)

    def _drain_udp(self, sock: socket.socket, code: Code) -> None:
        for _ in range(256):  # bounded, so one busy socket cannot starve the other
            try:
                data, ancdata, _, addr = sock.recvmsg(4096, _ANCILLARY)
            except (BlockingIOError, InterruptedError):
                return
            self.handle(code, data, addr, arrival(ancdata))

    # -- per packet (event loop) ---------------------------------------------------------
    def _count(self, what: str) -> None:
        self.counts[what] = self.counts.get(what, 0) + 1

    def handle(
        self, code: Code, data: bytes, addr: tuple[str, int], arrived: float | None = None
    ) -> None:
        """One datagram; `arrived` is when the kernel received it (epoch seconds), if known."""
        client = self.clients.get(addr[0])
        if client is None:
            self._count("unknown_source")
            self.problems.warning(addr[0], "packet from an unknown router dropped")
            return
        if len(data) < 20:
            self._count("malformed")
            self.problems.warning(addr[0], "runt packet of %d bytes dropped", len(data))
            return
        key = ReplyCache.key(data, addr)
        cached = self.cache.lookup(key)
        if cached is not None:
            self._count("retransmission")
            if cached is not PENDING:
                self.send(code, cached, addr)
            return
        try:
            pkt = packets.decode(data, client, code)
            if code is Code.ACCESS_REQUEST:
                request: Any = packets.login_request(pkt, client)
            else:
                request = packets.acct_record(pkt, client, self.clock())
        except packets.BadPacket as exc:
            self._count("dropped")
            self.problems.warning(addr[0], "packet from router %s dropped: %s", client.name, exc)
            return
        except Exception as exc:  # whatever a hostile packet makes the decoder raise
            self._count("dropped")
            self.problems.warning(
                addr[0],
                "malformed packet from router %s dropped (%s)",
                client.name,
                type(exc).__name__,
            )
            return
        self.seen_routers.add(client.router_id)
        self.cache.begin(key)
        self._batchers[code].add(
            Item(
                key=key,
                addr=addr,
                pkt=pkt,
                request=request,
                arrived=time.time() if arrived is None else arrived,
            )
        )

    def send(self, code: Code, reply: bytes, addr: tuple[str, int]) -> None:
        try:
            self.socks[code].sendto(reply, addr)
        except (BlockingIOError, InterruptedError):
            self._count("send_dropped")  # the router will retransmit

    # -- batches (database thread) -------------------------------------------------------
    def _decide(self, batch: list[Item]) -> list[LoginDecision]:
        requests: list[LoginRequest] = [item.request for item in batch]
        now = self.clock()
        try:
            with transaction(self.read_sessions) as session:
                return decide_logins(session=session, requests=requests, now=now, read_only=True)
        except WritesNeeded:
            pass  # first use, a new device or a token: decide again under the lock
        with self.writer_lock.held(), transaction(self.sessions) as session:
            return decide_logins(session=session, requests=requests, now=now)

    def _store(self, batch: list[Item]) -> AcctResult:
        records: list[AcctRecord] = [item.request for item in batch]
        # Committed when it returns (a record that could not be stored is in `not_stored`):
        # now, and only now, may the router be told.
        return store_accounting(
            sessions=self.sessions,
            lock=self.writer_lock,
            records=records,
            box=self.box,
            now=self.clock(),
            cache=self.acct_cache,
        )

    def _answer_auth(self, batch: list[Item], decisions: list[LoginDecision] | None) -> None:
        if decisions is None:
            for item in batch:
                self.cache.forget(item.key)
            return
        now = self.clock()
        for item, decision in zip(batch, decisions, strict=True):
            self._count("accept" if decision.accepted else "reject")
            self.logins.add(item, decision, now)
            reply = packets.auth_reply(item.pkt, decision)
            self.cache.finish(item.key, reply)
            self.send(Code.ACCESS_REQUEST, reply, item.addr)
            self.latencies.record("login", time.time() - item.arrived)
        self.latencies.log_if_due()

    def _answer_acct(self, batch: list[Item], stored: AcctResult | None) -> None:
        if stored is None:
            for item in batch:
                self.cache.forget(item.key)
            return
        if stored.retried:
            self.problems.warning(
                "accounting",
                "a batch of %d failed (%s) and was stored in parts",
                len(batch),
                stored.retried,
            )
        # Said before the answers go: whoever sees an answer finds the batch's log complete.
        for router_id, account_id in sorted(stored.refused_classes):
            self.problems.warning(
                f"router {router_id} class",
                "Class names account %d, which is not of this router's site (or does not"
                " exist): stored without it (under the user name's account here, if any)",
                account_id,
            )
        for at, item in enumerate(batch):
            record: AcctRecord = item.request
            why = stored.not_stored.get(at)
            if why is not None:  # not stored, so not answered: the router sends it again
                self._count("accounting_not_stored")
                self.cache.forget(item.key)
                self.problems.warning(
                    f"{item.addr[0]} accounting",
                    "record of session %r not stored: %s",
                    record.acct_session_id,
                    why,
                )
                continue
            if record.problems:
                self._count("accounting_bounded")
            for problem in record.problems:  # each starts with its attribute's name
                self.problems.warning(
                    f"{item.addr[0]} {problem.split(' ', 1)[0]}",
                    "record of session %r stored with %s",
                    record.acct_session_id,
                    problem,
                )
            self._count("accounting")
            reply = packets.acct_reply(item.pkt)
            self.cache.finish(item.key, reply)
            self.send(Code.ACCOUNTING_REQUEST, reply, item.addr)
            self.latencies.record("accounting", time.time() - item.arrived)
        self.latencies.log_if_due()
        if stored.accounts_with_usage:
            self.track(asyncio.ensure_future(self.enforcer.enforce(stored.accounts_with_usage)))

    # -- housekeeping --------------------------------------------------------------------
    def _load_clients(self) -> dict[str, NasClient]:
        with transaction(self.read_sessions) as session:
            return {c.ip_address: c for c in nas_clients(session=session, box=self.box)}

    def housekeep(self, *, force_reap: bool = False) -> int:
        """Reload routers, note which were heard from, reap silent sessions and purge spent
        login tokens (if this worker reaps). Returns the number of sessions reaped. Runs in the
        database thread."""
        self.clients = self._load_clients()
        seen, self.seen_routers = sorted(self.seen_routers), set()
        reaped = 0
        with self.writer_lock.held(), transaction(self.sessions) as session:
            touch_routers(session=session, router_ids=seen, now=self.clock())
            due = time.monotonic() - self._last_reap >= REAP_SECONDS
            if self.reaper and (due or force_reap):
                self._last_reap = time.monotonic()
                reaped = reap_silent_sessions(session=session, now=self.clock())
                purge_tokens(session=session, now=self.clock())  # spent login tokens
        if reaped:
            log.info("closed %d silent session(s) as lost", reaped)
        return reaped

    async def housekeep_now(self, *, force_reap: bool = False) -> int:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._acct_db, lambda: self.housekeep(force_reap=force_reap)
        )

    async def _forget_zones(self) -> None:
        """Site zones may have been edited along with the routers: cleared where accounting
        runs (the loop, or the database thread), between two batches, which use the cache."""
        executor = self._batchers[Code.ACCOUNTING_REQUEST].executor
        if executor is None:
            self.acct_cache.clear()
        else:
            await asyncio.get_running_loop().run_in_executor(executor, self.acct_cache.clear)

    async def _housekeeping(self) -> None:
        while True:
            await asyncio.sleep(HOUSEKEEPING_SECONDS)
            collect_garbage()
            self.cache.expire()
            self.problems.flush()
            try:
                await self._forget_zones()
                await self.housekeep_now()
                if self.reaper:  # one worker restores throttled sessions and sends queued ones
                    await self.enforcer.enforce(None)
            except Exception as exc:
                log.error("housekeeping failed: %s", type(exc).__name__)
