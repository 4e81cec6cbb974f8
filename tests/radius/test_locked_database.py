"""SQLite, locked by another process for seconds (a backup, the web service, a migration):
logins that only read are answered at once on the worker whose accounting waits for the lock,
and the accounting is answered once it is stored, after the lock is released."""

from __future__ import annotations

import socket
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyrad import packet
from wdtest.radius import RunningRadius, auth_request, client, running_radius

from wifidesa.settings import Settings

from .conftest import SECRET, Village

MAC = "AA:BB:CC:00:00:01"


@pytest.fixture
def server(settings: Settings, village: Village, backend: str) -> Iterator[RunningRadius]:
    if backend != "sqlite":
        pytest.skip("the write lock of a database file")
    patient = settings.model_copy(update={"sqlite_busy_timeout_ms": 60_000})
    with running_radius(patient) as running:
        yield running


def test_logins_are_answered_while_accounting_waits_for_the_write_lock(
    server: RunningRadius, village: Village, db_url: str
) -> None:
    code = village.codes[0]
    with client(server, SECRET) as c:
        # First use binds the voucher to the device (a write); coming back only reads.
        assert c.SendPacket(auth_request(c, code, code, mac=MAC)).code == packet.AccessAccept
        start = c.CreateAcctPacket(User_Name=code)
        start["Acct-Status-Type"] = "Start"
        start["Acct-Session-Id"] = "81d00001"
        start["Calling-Station-Id"] = MAC
        raw_start = bytes(start.RequestPacket())

    holder = sqlite3.connect(str(Path(db_url.removeprefix("sqlite:///"))), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process writes, for as long as it takes
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as router:
        router.bind(("127.0.0.1", 0))
        try:
            router.sendto(raw_start, ("127.0.0.1", server.acct_port))
            with client(server, SECRET, timeout=10.0, retries=1) as c:
                for _ in range(5):  # each a batch of its own behind the waiting accounting
                    back = c.SendPacket(auth_request(c, code, code, mac=MAC))
                    assert back.code == packet.AccessAccept
                    wrong = c.SendPacket(auth_request(c, "ZZZZZZZZ99", "ZZZZZZZZ99", mac=MAC))
                    assert wrong.code == packet.AccessReject
            router.settimeout(0.5)
            with pytest.raises(TimeoutError):  # not stored yet: not answered
                router.recv(4096)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        router.settimeout(30)
        assert router.recv(4096)[0] == packet.AccountingResponse
