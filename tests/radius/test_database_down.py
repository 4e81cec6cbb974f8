"""Accounting is acknowledged only once stored: with the database unavailable, no answer at
all (the router sends again), and once it is back the retransmission is stored exactly once."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from pyrad.client import Client
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from wdtest.postgres import PostgresCluster
from wdtest.radius import RunningRadius, auth_request, client, running_radius, send_same_bytes

from wifidesa.db.models import AcctSession
from wifidesa.settings import Settings

from .conftest import SECRET, Village


@contextmanager
def database_unavailable(request: pytest.FixtureRequest, db_url: str) -> Iterator[None]:
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        # Another process holds the write lock longer than the server waits for it.
        holder = sqlite3.connect(str(url.database), isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    cluster: PostgresCluster = request.getfixturevalue("pg_cluster")
    name = str(url.database)
    # The server goes away: refuse new connections and cut the existing ones.
    cluster.admin_execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
    terminate = "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s"
    with psycopg.connect(cluster.conninfo(), autocommit=True) as conn:
        conn.execute(terminate, (name,))
    try:
        yield
    finally:
        cluster.admin_execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')


@pytest.fixture
def patient_server(settings: Settings, village: Village) -> Iterator[RunningRadius]:
    quick = settings.model_copy(update={"sqlite_busy_timeout_ms": 200})
    with running_radius(quick) as running:
        yield running


def _interim(c: Client, code: str) -> bytes:
    req = c.CreateAcctPacket(User_Name=code)
    req["Acct-Status-Type"] = "Start"
    req["Acct-Session-Id"] = "81c00001"
    return bytes(req.RequestPacket())


def test_no_accounting_response_while_the_database_is_down(
    patient_server: RunningRadius,
    village: Village,
    sessions: sessionmaker[Session],
    request: pytest.FixtureRequest,
    db_url: str,
) -> None:
    server = patient_server
    with client(server, SECRET) as c:
        raw = _interim(c, village.codes[0])
        login = auth_request(c, village.codes[1], village.codes[1]).RequestPacket()
    with database_unavailable(request, db_url):
        assert send_same_bytes(server.acct_port, raw, 1, timeout=1.5) == [None]
        assert send_same_bytes(server.auth_port, login, 1, timeout=1.5) == [None]
    # The router retransmits; now it is stored, once, and answered.
    replies = send_same_bytes(server.acct_port, raw, 2)
    assert replies[0] is not None and replies[1] == replies[0]
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(AcctSession)) == 1
