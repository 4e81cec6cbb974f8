"""SQLite: the web service's writes queue with the RADIUS service's on one lock, and a database
locked past the busy timeout (a backup, a long job) is a "try again" page, never a 500."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

from portal.app import create_app
from wifidesa.db.engine import WriterLock
from wifidesa.settings import Settings

from .conftest import Village, form_fields, router_post


@pytest.fixture
def web(settings: Settings, village: Village, backend: str) -> Iterator[TestClient]:
    if backend != "sqlite":
        pytest.skip("the write lock of a database file")
    quick = settings.model_copy(update={"sqlite_busy_timeout_ms": 300})
    with TestClient(create_app(quick)) as client:
        yield client


def _voucher_login(web: TestClient, village: Village, code: str) -> tuple[int, str, str]:
    page = web.post("/portal/login", data=router_post(village)).text  # a read
    answer = web.post("/portal/voucher", data=form_fields(page, "/portal/voucher") | {"code": code})
    return answer.status_code, answer.text, answer.headers.get("retry-after", "")


def test_a_database_locked_past_the_timeout_is_a_503_try_again_page(
    web: TestClient, village: Village, db_url: str
) -> None:
    holder = sqlite3.connect(str(make_url(db_url).database), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        status, page, retry = _voucher_login(web, village, village.codes[0])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert status == 503, page
    assert "Layanan sedang sibuk. Silakan coba lagi sebentar lagi." in page
    assert retry == "5"
    assert _voucher_login(web, village, village.codes[0])[0] == 200  # free again: in


def test_web_writes_wait_for_the_radius_writers_lock(
    web: TestClient, village: Village, settings: Settings
) -> None:
    lock = WriterLock(settings.resolved_database_url)
    done: list[int] = []
    with lock.held():  # a RADIUS worker writes a batch
        login = threading.Thread(
            target=lambda: done.append(_voucher_login(web, village, village.codes[1])[0])
        )
        login.start()
        login.join(1.0)  # well past the 300 ms busy timeout: it waits for the lock instead
        assert not done
    login.join(60)
    assert done == [200]


def _busy_radius_writer(url: str, stop: threading.Event) -> None:
    """Accounting at full load: batches of 20 ms back to back under the writers' lock, with the
    moment between two (answering, reading the next burst) short."""
    lock = WriterLock(url)
    connection = sqlite3.connect(str(make_url(url).database), isolation_level=None, timeout=60)
    try:
        while not stop.is_set():
            with lock.held():
                connection.execute("BEGIN IMMEDIATE")
                connection.execute("UPDATE routers SET last_seen_at = CURRENT_TIMESTAMP")
                time.sleep(0.02)
                connection.execute("COMMIT")
            time.sleep(0.0005)
    finally:
        connection.close()


def test_web_writes_are_not_starved_by_a_busy_radius_writer(
    settings: Settings, village: Village, backend: str
) -> None:
    if backend != "sqlite":
        pytest.skip("the write lock of a database file")
    patient = settings.model_copy(update={"sqlite_busy_timeout_ms": 1000})
    stop = threading.Event()
    writer = threading.Thread(
        target=_busy_radius_writer, args=(settings.resolved_database_url, stop)
    )
    statuses: list[int] = []
    with TestClient(create_app(patient)) as web:
        writer.start()
        try:
            for n in range(12):
                statuses.append(_voucher_login(web, village, village.codes[n % 4])[0])
        finally:
            stop.set()
            writer.join(60)
    assert statuses == [200] * 12
