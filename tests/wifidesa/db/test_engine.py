"""Engines: what every connection is set up with, on each backend."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from wifidesa.db.engine import WriterLock, make_engine


def test_sqlite_connections_use_wal_and_enforce_foreign_keys(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_custom_plans_plan_every_statement_with_its_values(db_url: str) -> None:
    engine, default = make_engine(db_url, custom_plans=True), make_engine(db_url)
    try:
        if engine.dialect.name != "postgresql":
            pytest.skip("PostgreSQL only")
        show = "SHOW plan_cache_mode"
        with engine.connect() as connection, default.connect() as other:
            assert connection.exec_driver_sql(show).scalar() == "force_custom_plan"
            assert other.exec_driver_sql(show).scalar() == "auto"
    finally:
        engine.dispose()
        default.dispose()


def test_an_autocommit_engine_sends_no_begin(db_url: str) -> None:
    engine = make_engine(db_url, autocommit=True, pre_ping=False)
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: SQLite readers use deferred transactions")
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
            assert connection.connection.dbapi_connection.info.transaction_status == 0  # IDLE
    finally:
        engine.dispose()


def test_transactions_that_hold_the_writer_lock_refuse_to_nest(db_url: str) -> None:
    """A write transaction begun inside another of the same thread would wait for itself."""
    lock = WriterLock(db_url)
    if lock.path is None:
        pytest.skip("SQLite only: PostgreSQL has no writer lock")
    engine = make_engine(db_url, sqlite_immediate=True, writer_lock=lock)
    try:
        with engine.begin() as outer:
            outer.exec_driver_sql("SELECT 1")
            with pytest.raises(RuntimeError, match="inside another"), engine.begin() as inner:
                inner.exec_driver_sql("SELECT 1")
        with engine.begin() as again:  # released at the end of each transaction
            assert again.exec_driver_sql("SELECT 1").scalar() == 1
    finally:
        engine.dispose()


def test_a_read_only_engine_reads_but_refuses_every_write(db_url: str) -> None:
    engine, writer = make_engine(db_url, read_only=True), make_engine(db_url)
    try:
        with writer.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE scratch (n INTEGER)")
            connection.exec_driver_sql("INSERT INTO scratch (n) VALUES (1)")
        with engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT n FROM scratch").scalar() == 1
        # SQLite: "attempt to write a readonly database"; PostgreSQL: "cannot execute INSERT in
        # a read-only transaction". Either way the statement fails, nothing is written.
        with pytest.raises(DBAPIError, match="(?i)read-?only"), engine.begin() as connection:
            connection.exec_driver_sql("INSERT INTO scratch (n) VALUES (2)")
        with writer.connect() as connection:
            assert connection.exec_driver_sql("SELECT count(*) FROM scratch").scalar() == 1
    finally:
        engine.dispose()
        writer.dispose()
