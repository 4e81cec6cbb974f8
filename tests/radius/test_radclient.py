"""FreeRADIUS's radclient against our server: a RADIUS implementation that shares no code with
ours (its own encoder, its own dictionaries, its own reply checks) as the router.

radclient always sends from 127.0.0.1, so it plays the village router. It accepts a reply only
if the Response Authenticator and the Message-Authenticator verify with the secret; a reply that
does not is reported on stderr as "Reply verification failed", which these tests refuse too.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from pyrad import packet
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from wdtest.factories import make_router, make_site
from wdtest.radius import FakeClock, RunningRadius, client

from wifidesa.crypto import SecretBox
from wifidesa.db.models import AcctSession, Router, SessionStatus, UsageDaily, Voucher

from .conftest import SECRET, Village

RADCLIENT = shutil.which("radclient")
pytestmark = pytest.mark.skipif(
    RADCLIENT is None, reason="radclient not installed (scripts/system-deps.sh installs it)"
)

MAC = "AA:BB:CC:00:00:01"
WORD = 2**32  # Acct-*-Octets wrap here; the rest is in Acct-*-Gigawords
WRONG_CODE = "Kode voucher atau kata sandi salah."
OTHER_DEVICE = "Voucher ini sudah dipakai di perangkat lain."

Value = str | int | bytes


@dataclass(frozen=True)
class Reply:
    """What radclient received: the reply's code and its attributes in packet order."""

    code: str | None  # "Access-Accept", …; None when no (valid) reply came
    attributes: list[tuple[str, str]]

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.attributes]

    def __getitem__(self, name: str) -> str:
        values = [value for n, value in self.attributes if n == name]
        assert len(values) == 1, f"{name}: {values} in {self.attributes}"
        return values[0]


def _literal(value: Value) -> str:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, int):
        return str(value)
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _parse(stdout: str) -> Reply:
    code: str | None = None
    attributes: list[tuple[str, str]] = []
    for line in stdout.splitlines():
        if line.startswith("Received "):
            code = line.split()[1]
        elif code is not None and line.startswith("\t"):
            name, _, value = line.strip().partition(" = ")
            attributes.append((name, value.strip('"')))
        elif code is not None:
            break
    return Reply(code, attributes)


@pytest.fixture
def raddb(tmp_path: Path) -> Path:
    """A raddb of our own, so the host's /etc/freeradius cannot change what radclient does."""
    path = tmp_path / "raddb"
    path.mkdir()
    # Attribute names come from FreeRADIUS's own dictionaries (-D default), MikroTik's included:
    # deliberately not from ours, so a wrong number in our dictionary shows up here.
    (path / "dictionary").write_text("# nothing beyond /usr/share/freeradius/dictionary\n")
    return path


@dataclass
class Radclient:
    server: RunningRadius
    raddb: Path

    def __call__(
        self,
        command: str,
        attributes: Mapping[str, Value],
        *,
        secret: str = SECRET,
        wait: float = 30.0,  # a reply is awaited this long; tests of "no reply" set 1
    ) -> Reply:
        """Send one request (`auth` or `acct`), no retransmission; the reply radclient accepted."""
        port = self.server.auth_port if command == "auth" else self.server.acct_port
        text = "".join(f"{name} = {_literal(value)}\n" for name, value in attributes.items())
        assert RADCLIENT is not None
        # -r 1: one try only; -t: how long a "No reply" takes.
        argv = [RADCLIENT, "-x", "-d", str(self.raddb), "-r", "1", "-t", str(wait)]
        done = subprocess.run(
            [*argv, f"127.0.0.1:{port}", command, secret],
            input=text,
            capture_output=True,
            text=True,
            timeout=wait + 10,
            check=False,
        )
        assert "Sent " in done.stdout, done.stdout + done.stderr  # radclient itself ran
        assert "verification failed" not in done.stderr, done.stderr
        return _parse(done.stdout)


@pytest.fixture
def radclient(server: RunningRadius, raddb: Path) -> Radclient:
    return Radclient(server, raddb)


def access_request(
    username: str, password: str, *, mac: str = MAC, chap: bool = False
) -> dict[str, Value]:
    # A cleartext CHAP-Password makes radclient compute CHAP with the Request Authenticator as
    # the challenge (RFC 2865 2.2, no CHAP-Challenge): the other CHAP form, not RouterOS's.
    return {
        "User-Name": username,
        "CHAP-Password" if chap else "User-Password": password,
        "Calling-Station-Id": mac,
        "Called-Station-Id": "hotspot1",
        "NAS-Identifier": "radclient",
        "Message-Authenticator": b"\x00",  # radclient computes it
    }


def accounting(status: str, session_id: str, code: str, **extra: Value) -> dict[str, Value]:
    return {
        "Acct-Status-Type": status,
        "Acct-Session-Id": session_id,
        "User-Name": code,
        "Calling-Station-Id": MAC,
        "Called-Station-Id": "hotspot1",
        "NAS-Identifier": "radclient",
        "Framed-IP-Address": "10.5.50.2",
        **{name.replace("_", "-"): value for name, value in extra.items()},
    }


def router_event(status: str) -> dict[str, Value]:
    """Accounting-On/Off: about the router, no session."""
    return {"Acct-Status-Type": status, "NAS-Identifier": "radclient"}


@pytest.mark.parametrize("chap", [False, True], ids=["pap", "chap"])
def test_voucher_is_accepted_with_the_profiles_limits(
    radclient: Radclient, village: Village, chap: bool
) -> None:
    code = village.codes[0]
    reply = radclient("auth", access_request(code, code, chap=chap))
    assert reply.code == "Access-Accept"
    assert reply["Session-Timeout"] == "7200"
    assert reply["Idle-Timeout"] == "600"
    assert reply["Acct-Interim-Interval"] == "300"
    # FreeRADIUS's dictionary knows MikroTik (vendor 14988, attribute 8) by this name.
    assert reply["Mikrotik-Rate-Limit"] == "1M/2M"
    assert reply["Class"].startswith("0x")
    # BlastRADIUS: first, and radclient verified it (else no "Received" line).
    assert reply.names[0] == "Message-Authenticator"


def test_wrong_code_is_rejected_in_bahasa_indonesia(radclient: Radclient, village: Village) -> None:
    reply = radclient("auth", access_request(village.codes[0], "SALAHKODE1"))
    assert reply.code == "Access-Reject"
    assert reply["Reply-Message"] == WRONG_CODE
    assert reply.names[0] == "Message-Authenticator"


def test_voucher_used_from_another_device_is_rejected(
    radclient: Radclient, village: Village
) -> None:
    code = village.codes[0]
    assert radclient("auth", access_request(code, code)).code == "Access-Accept"
    reply = radclient("auth", access_request(code, code, mac="AA:BB:CC:00:00:02"))
    assert reply.code == "Access-Reject"
    assert reply["Reply-Message"] == OTHER_DEVICE
    assert reply.names[0] == "Message-Authenticator"


def test_request_signed_with_a_wrong_secret_gets_no_reply(
    radclient: Radclient, server: RunningRadius, village: Village
) -> None:
    code = village.codes[0]
    reply = radclient("auth", access_request(code, code), secret="not-the-router-secret", wait=1)
    assert reply.code is None
    assert server.worker.counts.get("dropped") == 1


def test_request_without_message_authenticator_gets_no_reply_when_the_router_requires_one(
    radclient: Radclient, server: RunningRadius, village: Village
) -> None:
    request = access_request(village.codes[0], village.codes[0])
    del request["Message-Authenticator"]
    assert radclient("auth", request, wait=1).code is None
    assert server.worker.counts.get("dropped") == 1


def test_request_without_message_authenticator_is_answered_when_the_router_does_not_require_one(
    radclient: Radclient,
    server: RunningRadius,
    village: Village,
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        session.get_one(Router, village.router_id).require_message_authenticator = False
    server.refresh()
    request = access_request(village.codes[0], village.codes[0])
    del request["Message-Authenticator"]
    reply = radclient("auth", request)
    assert reply.code == "Access-Accept"
    # Our reply still carries one, first: BlastRADIUS protection does not depend on the router.
    assert reply.names[0] == "Message-Authenticator"


def _sessions(sessions: sessionmaker[Session]) -> list[AcctSession]:
    with sessions() as session:
        return list(session.scalars(select(AcctSession).order_by(AcctSession.id)))


def test_accounting_start_interim_stop_is_acknowledged_and_stored(
    radclient: Radclient,
    village: Village,
    sessions: sessionmaker[Session],
    clock: FakeClock,
) -> None:
    code = village.codes[0]
    accept = radclient("auth", access_request(code, code))
    class_ = bytes.fromhex(accept["Class"].removeprefix("0x"))  # echoed, as RouterOS does
    start = accounting("Start", "81a00001", code, Class=class_)
    assert radclient("acct", start).code == "Accounting-Response"

    # The fake clock starts at 23:50 WITA: the interim counts on 31 March, the Stop after
    # midnight on 1 April.
    clock.advance(minutes=5)
    interim = accounting(
        "Interim-Update",
        "81a00001",
        code,
        Class=class_,
        Acct_Session_Time=300,
        Acct_Input_Octets=1_000,
        Acct_Input_Gigawords=0,
        Acct_Output_Octets=5_000,
        Acct_Output_Gigawords=1,
    )
    assert radclient("acct", interim).code == "Accounting-Response"
    clock.advance(minutes=10)
    stop = accounting(
        "Stop",
        "81a00001",
        code,
        Class=class_,
        Acct_Session_Time=900,
        Acct_Input_Octets=3_000,
        Acct_Input_Gigawords=0,
        Acct_Output_Octets=7_000,
        Acct_Output_Gigawords=2,
        Acct_Terminate_Cause="User-Request",
    )
    assert radclient("acct", stop).code == "Accounting-Response"

    [stored] = _sessions(sessions)
    with sessions() as session:
        account_id = session.scalars(select(Voucher.account_id).where(Voucher.code == code)).one()
        usage = {
            u.day: (u.input_octets, u.output_octets, u.session_seconds)
            for u in session.scalars(select(UsageDaily))
        }
    assert stored.account_id == account_id
    assert stored.status is SessionStatus.CLOSED
    assert stored.terminate_cause == "User-Request"
    assert (stored.input_octets, stored.output_octets) == (3_000, 2 * WORD + 7_000)
    assert stored.session_time == 900
    assert stored.mac == MAC
    assert stored.stopped_at == clock.now
    assert usage == {
        date(2026, 3, 31): (1_000, WORD + 5_000, 300),
        date(2026, 4, 1): (2_000, WORD + 2_000, 600),
    }


def test_accounting_with_a_wrong_secret_is_unanswered_and_not_stored(
    radclient: Radclient, server: RunningRadius, village: Village, sessions: sessionmaker[Session]
) -> None:
    start = accounting("Start", "81a00002", village.codes[0])
    assert radclient("acct", start, secret="not-the-router-secret", wait=1).code is None
    assert server.worker.counts.get("dropped") == 1
    assert _sessions(sessions) == []


def test_accounting_on_closes_the_routers_open_sessions(
    radclient: Radclient,
    server: RunningRadius,
    village: Village,
    sessions: sessionmaker[Session],
    box: SecretBox,
    clock: FakeClock,
) -> None:
    with sessions.begin() as session:
        other = make_site(session, code="desa-b")
        make_router(session, box, site=other, ip="127.0.0.2", secret=SECRET)
    server.refresh()
    # A session at another router (pyrad, sent from 127.0.0.2), which must stay open.
    with client(server, SECRET, source="127.0.0.2") as c:
        other_start = c.CreateAcctPacket(
            code=packet.AccountingRequest, User_Name="tamu", Acct_Session_Id="b0000001"
        )
        other_start["Acct-Status-Type"] = "Start"
        assert c.SendPacket(other_start).code == packet.AccountingResponse
    assert radclient("acct", accounting("Start", "81a00003", village.codes[0])).code == (
        "Accounting-Response"
    )
    assert radclient("acct", accounting("Start", "81a00004", village.codes[1])).code == (
        "Accounting-Response"
    )
    stop = accounting("Stop", "81a00004", village.codes[1], Acct_Session_Time=60)
    assert radclient("acct", stop).code == "Accounting-Response"

    clock.advance(minutes=2)  # the router reboots
    assert radclient("acct", router_event("Accounting-On")).code == "Accounting-Response"

    by_id = {s.acct_session_id: s for s in _sessions(sessions)}
    assert by_id["81a00003"].status is SessionStatus.LOST
    assert by_id["81a00003"].terminate_cause == "NAS-Reboot"
    assert by_id["81a00003"].stopped_at == clock.now
    assert by_id["81a00004"].status is SessionStatus.CLOSED  # already over: left as it was
    assert by_id["b0000001"].status is SessionStatus.OPEN
