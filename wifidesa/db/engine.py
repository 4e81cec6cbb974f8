"""Engine, sessions and the declarative base shared by every model.

SQLite (WAL) is the embedded default; PostgreSQL (psycopg 3) is production. Engines are built
by `make_engine()` from settings; nothing is created at import time.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import BigInteger, DateTime, Dialect, Integer, MetaData, create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

# Named constraints, so migrations can refer to them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit key.
BigIntKey = BigInteger().with_variant(Integer, "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always returned time-zone aware.

    SQLite keeps no zone, so naive values read back are UTC by construction; naive values
    written are refused, because a naive local time is the classic WITA/UTC mix-up.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


# When the WAL starts over, a file grown past this is cut back to it (SQLite otherwise keeps
# the largest size it ever reached). The RADIUS service also empties it past a limit
# (radius.checkpoint).
JOURNAL_SIZE_LIMIT = 64 << 20


def _sqlite_pragmas(
    dbapi_connection: Any, _record: Any, busy_timeout_ms: int, read_only: bool = False
) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA journal_size_limit={JOURNAL_SIZE_LIMIT}")
    # NORMAL in WAL mode is durable against process crashes; a power cut may lose the last
    # transactions but never corrupts. Production runs PostgreSQL.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
    if read_only:
        cursor.execute("PRAGMA query_only=ON")  # after journal_mode, which may write
    cursor.close()
    # pysqlite opens transactions only before DML, so DDL (migrations) would run outside any
    # transaction; take over and issue BEGIN ourselves (SQLAlchemy's documented recipe).
    dbapi_connection.isolation_level = None


def _sqlite_begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN")


def _sqlite_begin_immediate(connection: Any) -> None:
    # Take the write lock up front: a read-then-write transaction in WAL mode otherwise fails
    # with SQLITE_BUSY_SNAPSHOT when another connection wrote in between.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(
    url: str,
    *,
    echo: bool = False,
    sqlite_immediate: bool = False,
    busy_timeout_ms: int = 10_000,
    pre_ping: bool = True,
    autocommit: bool = False,
    custom_plans: bool = False,
    writer_lock: WriterLock | None = None,
    read_only: bool = False,
) -> Engine:
    """Create an engine for `url`; SQLite files get WAL mode and enforced foreign keys.

    `sqlite_immediate` makes every SQLite transaction take the write lock at BEGIN, for
    processes whose transactions read and then write (the RADIUS workers). `pre_ping=False`
    spares a round trip per transaction on a server database, for callers that survive one
    failed transaction after the server restarted (the RADIUS workers: no answer, the router
    sends again, and the broken connection has been dropped from the pool). `autocommit` (a
    server database) sends no BEGIN and COMMIT, two round trips, for readers: under READ
    COMMITTED each statement sees its own snapshot, in a transaction or not. `custom_plans`
    (PostgreSQL) plans every statement with its values: psycopg prepares a statement run five
    times, and the generic plan PostgreSQL may then keep is made for the table as it was. One made
    while `sessions` was nearly empty went on scanning it as it grew (the accounting lookup fell
    from 0.4 ms to 5 ms a batch within a minute) until the next ANALYZE. `writer_lock`: every
    transaction holds it (see `WriterLock.hold_in_transactions`). `read_only`: every transaction
    is read-only (PostgreSQL's default_transaction_read_only, SQLite's query_only), so that a
    statement which writes fails loudly instead of writing where it should not (the statistics'
    engine, which may be a replica's).
    """
    parsed = make_url(url)
    kwargs: dict[str, Any] = {"echo": echo, "hide_parameters": True}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"check_same_thread": False}
    else:
        kwargs["pool_pre_ping"] = pre_ping
        if autocommit:
            kwargs["isolation_level"] = "AUTOCOMMIT"
        # A server that went away must fail fast: RADIUS workers query on their event loop.
        kwargs["connect_args"] = {"connect_timeout": 5}
        options = ["-c plan_cache_mode=force_custom_plan"] if custom_plans else []
        if read_only:
            options.append("-c default_transaction_read_only=on")
        if options:
            kwargs["connect_args"]["options"] = " ".join(options)
    engine = create_engine(parsed, **kwargs)
    if writer_lock is not None:
        writer_lock.hold_in_transactions(engine)  # first: before the BEGIN below
    if parsed.get_backend_name() == "sqlite":
        pragmas = partial(_sqlite_pragmas, busy_timeout_ms=busy_timeout_ms, read_only=read_only)
        event.listen(engine, "connect", pragmas)
        event.listen(
            engine, "begin", _sqlite_begin_immediate if sqlite_immediate else _sqlite_begin
        )
    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session that commits when the block succeeds and rolls back when it raises."""
    with factory() as session, session.begin():
        yield session


class WriterLock:
    """Serialises this service's SQLite writers across threads and processes.

    SQLite's busy handler polls with sleeps of up to tens of milliseconds; an exclusive
    flock on a file beside the database wakes the next writer as soon as the lock is free.
    On PostgreSQL it does nothing: the server handles concurrent writers itself.
    """

    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        database = parsed.database if parsed.get_backend_name() == "sqlite" else None
        self.path = f"{database}.lock" if database and database != ":memory:" else None
        self._local = threading.local()

    @contextmanager
    def held(self) -> Iterator[None]:
        if self.path is None:
            yield
            return
        fd = getattr(self._local, "fd", None)
        if fd is None:
            fd = self._local.fd = self._open()
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)

    def _open(self) -> int:
        assert self.path is not None
        return os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)

    def hold_in_transactions(self, engine: Engine) -> None:
        """Every transaction of `engine` (made by `make_engine(writer_lock=...)`) holds the
        lock, from before its BEGIN until its connection goes back to the pool (a session hands
        it back at COMMIT or ROLLBACK, and after a BEGIN that failed too). For a process whose
        writers are spread over many code paths (the web service): they queue with the RADIUS
        writers on one lock instead of polling SQLite's busy handler, which a busy writer can
        starve for the whole busy timeout."""
        if self.path is None:
            return
        # By pooled connection (the id of its record_info, which lives as long as it does):
        # each has a descriptor of its own, so they exclude each other too.
        fds: dict[int, int] = {}
        owners: dict[int, int] = {}  # locked connection -> the thread that began its transaction
        mutex = threading.Lock()

        def acquire(connection: Any) -> None:
            key, me = id(connection.connection.record_info), threading.get_ident()
            with mutex:
                if key in owners:
                    return
                if me in owners.values():
                    # A write transaction inside another would wait for itself for ever.
                    raise RuntimeError("a write transaction begun inside another one")
                fd = fds.get(key)
                if fd is None:
                    fd = fds[key] = self._open()
            fcntl.flock(fd, fcntl.LOCK_EX)
            with mutex:
                owners[key] = me

        def release(_dbapi_connection: Any, record: Any, *_: Any) -> None:
            if record is None:
                return
            key = id(record.record_info)
            with mutex:
                if owners.pop(key, None) is None:
                    return
                fd = fds[key]
            fcntl.flock(fd, fcntl.LOCK_UN)

        def close(dbapi_connection: Any, record: Any) -> None:
            release(dbapi_connection, record)
            with mutex:
                fd = fds.pop(id(record.record_info), None)
            if fd is not None:
                os.close(fd)

        # Before the listener that sends BEGIN (IMMEDIATE): make_engine adds this one first.
        event.listen(engine, "begin", acquire)
        event.listen(engine, "checkin", release)
        event.listen(engine, "invalidate", release)
        event.listen(engine, "soft_invalidate", release)
        event.listen(engine, "close", close)


class LockedWrites:
    """Short write transactions, under the writer lock where the engine does not take it
    (None: the engine holds it in its transactions, or PostgreSQL)."""

    def __init__(self, factory: sessionmaker[Session], lock: WriterLock | None) -> None:
        self.factory, self.lock = factory, lock

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with self.lock.held() if self.lock else nullcontext(), transaction(self.factory) as s:
            yield s
