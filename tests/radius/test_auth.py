"""Access-Request → Accept with the profile's limits, or Reject saying why in Bahasa Indonesia."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from pyrad import packet
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from wdtest.factories import make_member, make_profile, make_router, make_site
from wdtest.radius import FakeClock, RunningRadius, auth_request, client

from wifidesa.access.tokens import mint_token
from wifidesa.admin.scope import OPERATOR, require_site_code
from wifidesa.crypto import SecretBox
from wifidesa.db.models import Account, AccountDevice, AccountStatus, LoginToken, Site
from wifidesa.members.guests import guest_account
from wifidesa.profiles.operations import require_profile_named
from wifidesa.vouchers.importing import import_vouchers

from .conftest import SECRET, Village


def login(
    server: RunningRadius,
    username: str,
    password: str,
    *,
    source: str = "127.0.0.1",
    **kwargs: object,
) -> packet.Packet:
    with client(server, SECRET, source=source) as c:
        return c.SendPacket(auth_request(c, username, password, **kwargs))  # type: ignore[arg-type]


def message(reply: packet.Packet) -> str:
    assert reply.code == packet.AccessReject
    return str(reply["Reply-Message"][0])


@pytest.mark.parametrize("chap", [False, True], ids=["pap", "chap"])
def test_voucher_is_accepted_with_the_profiles_limits(
    server: RunningRadius, village: Village, chap: bool
) -> None:
    reply = login(server, village.codes[0], village.codes[0], chap=chap)
    assert reply.code == packet.AccessAccept
    assert reply["Session-Timeout"] == [7200]
    assert reply["Idle-Timeout"] == [600]
    assert reply["Acct-Interim-Interval"] == [300]
    assert reply["Mikrotik-Rate-Limit"] == ["1M/2M"]
    assert reply["Class"][0].startswith(b"wd:")
    # BlastRADIUS: Message-Authenticator is the first attribute of the reply.
    assert reply.raw_packet[20] == 80


def test_codes_are_typed_in_any_case_and_with_dashes(
    server: RunningRadius, village: Village
) -> None:
    code = village.codes[0]
    typed = f"{code[:5].lower()}-{code[5:]}"
    assert login(server, typed, code).code == packet.AccessAccept


@pytest.mark.parametrize("chap", [False, True], ids=["pap", "chap"])
def test_wrong_password_is_rejected(server: RunningRadius, village: Village, chap: bool) -> None:
    reply = login(server, village.codes[0], "WRONGCODE1", chap=chap)
    assert message(reply) == "Kode voucher atau kata sandi salah."


@pytest.mark.parametrize(
    ("typed", "accepted"),
    [
        (lambda code: code[:8].encode() + b"\xad" + code[8:].encode(), False),
        (lambda code: b"\xff" + code.encode(), False),
        (lambda code: code.encode() + b"\xc3", False),
        (lambda code: code.encode() + b"\x00\x00", True),  # NUL padding is not the password
    ],
    ids=["invalid-utf8-inside", "invalid-utf8-first", "invalid-utf8-last", "nul-padding"],
)
def test_pap_compares_the_password_octets(
    server: RunningRadius, village: Village, typed: Callable[[str], bytes], accepted: bool
) -> None:
    """A stray octet that is not UTF-8 is part of the password: it once was dropped, so
    `4986GE3B\\xadT8` logged in as the code `4986GE3BT8`."""
    code = village.codes[0]
    with client(server, SECRET) as c:
        req = auth_request(c, code, code)
        del req["User-Password"]
        req["User-Password"] = req.PwCrypt(typed(code))
        reply = c.SendPacket(req)
    assert (reply.code == packet.AccessAccept) is accepted


def test_unknown_code_is_rejected(server: RunningRadius) -> None:
    assert (
        message(login(server, "ZZZZZZZZZZ", "ZZZZZZZZZZ")) == "Kode voucher atau kata sandi salah."
    )


def test_first_use_starts_validity_and_binds_the_device(
    server: RunningRadius, village: Village, sessions: sessionmaker[Session], clock: FakeClock
) -> None:
    code = village.codes[0]
    assert login(server, code, code, mac="AA:BB:CC:00:00:01").code == packet.AccessAccept
    with sessions() as session:
        account = session.scalars(select(Account).join(Account.voucher)).first()
        bound = session.scalars(select(AccountDevice.mac)).all()
        used = [a for a in session.scalars(select(Account)) if a.first_used_at]
    assert account is not None and len(used) == 1
    assert used[0].first_used_at == clock.now
    assert used[0].expires_at == clock.now + timedelta(days=1)
    assert bound == ["AA:BB:CC:00:00:01"]
    # The same device again: accepted, Session-Timeout now bounded by what is left.
    clock.advance(hours=23)
    reply = login(server, code, code, mac="aa-bb-cc-00-00-01")
    assert reply.code == packet.AccessAccept
    assert reply["Session-Timeout"] == [3600]


def test_another_device_is_refused(server: RunningRadius, village: Village) -> None:
    code = village.codes[0]
    assert login(server, code, code, mac="AA:BB:CC:00:00:01").code == packet.AccessAccept
    reply = login(server, code, code, mac="AA:BB:CC:00:00:02")
    assert message(reply) == "Voucher ini sudah dipakai di perangkat lain."


def test_expired_voucher_is_rejected(
    server: RunningRadius, village: Village, clock: FakeClock
) -> None:
    code = village.codes[0]
    assert login(server, code, code).code == packet.AccessAccept
    clock.advance(days=1, seconds=1)
    assert message(login(server, code, code)) == "Masa berlaku voucher sudah habis."


def test_voucher_works_only_at_its_own_site(
    server: RunningRadius, village: Village, sessions: sessionmaker[Session], box: SecretBox
) -> None:
    with sessions.begin() as session:
        other = make_site(session, code="desa-b")
        make_router(session, box, site=other, ip="127.0.0.2", secret=SECRET)
    server.refresh()
    code = village.codes[0]
    reply = login(server, code, code, source="127.0.0.2")
    site_name = "Desa Uji"
    assert message(reply).startswith(f"Voucher ini hanya berlaku di {site_name}")


@pytest.mark.parametrize(
    ("status", "text"),
    [
        (AccountStatus.REVOKED, "Voucher ini sudah dibatalkan. Hubungi admin desa."),
        (AccountStatus.DISABLED, "Akun ini sedang dinonaktifkan. Hubungi admin desa."),
    ],
)
def test_revoked_and_disabled_accounts_are_rejected(
    server: RunningRadius,
    village: Village,
    sessions: sessionmaker[Session],
    status: AccountStatus,
    text: str,
) -> None:
    with sessions.begin() as session:
        for account in session.scalars(select(Account)):
            account.status = status
    code = village.codes[0]
    assert message(login(server, code, code)) == text


def test_inactive_site_is_rejected(
    server: RunningRadius, village: Village, sessions: sessionmaker[Session]
) -> None:
    with sessions.begin() as session:
        session.scalars(select(Site).where(Site.code == village.site_code)).one().is_active = False
    code = village.codes[0]
    assert message(login(server, code, code)) == "Layanan Wi-Fi di desa ini sedang tidak aktif."


def test_a_voucher_is_refused_where_the_village_switched_vouchers_off(
    server: RunningRadius, village: Village, sessions: sessionmaker[Session]
) -> None:
    # The portal hides the form; a code typed on the router's own page must not get around it.
    code = village.codes[0]
    with sessions.begin() as session:
        session.scalars(
            select(Site).where(Site.code == village.site_code)
        ).one().allow_voucher = False
    assert message(login(server, code, code)) == "Desa ini tidak menyediakan cara masuk ini."
    with sessions.begin() as session:
        session.scalars(
            select(Site).where(Site.code == village.site_code)
        ).one().allow_voucher = True
    assert login(server, code, code).code == packet.AccessAccept


def test_imported_voucher_needs_its_pin(
    server: RunningRadius, village: Village, sessions: sessionmaker[Session]
) -> None:
    with sessions.begin() as session:
        import_vouchers(
            session=session,
            scope=OPERATOR,
            site_id=require_site_code(session=session, scope=OPERATOR, code=village.site_code).id,
            profile_id=require_profile_named(
                session=session, scope=OPERATOR, name=village.profile
            ).id,
            text="code,password\nuser00001,pw00001\n",
        )
    assert login(server, "user00001", "pw00001").code == packet.AccessAccept
    assert login(server, "user00001", "pw00001", chap=True).code == packet.AccessAccept
    assert message(login(server, "user00001", "user00001")).startswith("Kode voucher")


DEFAULT_MAC = "AA:BB:CC:00:00:01"  # auth_request's Calling-Station-Id


def _member_token(
    sessions: sessionmaker[Session], village: Village, clock: FakeClock, **kwargs: object
) -> str:
    with sessions.begin() as session:
        member = session.scalar(select(Account).where(Account.kind == "member"))
        if member is None:
            make_profile(session, name="warga", devices_at_once=1, remember_device_days=30)
            member = make_member(
                session=session,
                site_code=village.site_code,
                profile_name="warga",
                username="budi",
                password="rahasia-budi",
            ).account
        # Bound to the test router and to auth_request's default Calling-Station-Id.
        bound: dict[str, object] = {"router_id": village.router_id, "mac": DEFAULT_MAC} | kwargs
        return mint_token(session=session, account_id=member.id, now=clock.now, **bound)  # type: ignore[arg-type]


@pytest.mark.parametrize("chap", [False, True], ids=["pap", "chap"])
def test_one_time_token_logs_a_member_in_once(
    server: RunningRadius,
    village: Village,
    sessions: sessionmaker[Session],
    clock: FakeClock,
    chap: bool,
) -> None:
    token = _member_token(sessions, village, clock)
    assert login(server, "budi", token, chap=chap).code == packet.AccessAccept
    # A second, new request with the same token (not a retransmission) is refused.
    assert message(login(server, "budi", token, chap=chap)).startswith("Kode voucher")
    with sessions() as session:
        assert session.scalars(select(LoginToken.used_at)).one() == clock.now


def test_expired_token_is_refused(
    server: RunningRadius, village: Village, sessions: sessionmaker[Session], clock: FakeClock
) -> None:
    token = _member_token(sessions, village, clock)
    clock.advance(seconds=61)
    # The snapshot reads only tokens that can still log in: an expired one is no password.
    assert message(login(server, "budi", token)) == "Kode voucher atau kata sandi salah."


def test_member_password_itself_never_works_over_radius(
    server: RunningRadius, village: Village, sessions: sessionmaker[Session], clock: FakeClock
) -> None:
    _member_token(sessions, village, clock)
    assert message(login(server, "budi", "rahasia-budi")).startswith("Kode voucher")


def test_remembered_device_logs_in_by_mac(
    server: RunningRadius, village: Village, sessions: sessionmaker[Session], clock: FakeClock
) -> None:
    mac = "AA:BB:CC:00:00:09"
    token = _member_token(sessions, village, clock, mac=mac, remember_device=True)
    assert login(server, "budi", token, mac=mac).code == packet.AccessAccept
    # RouterOS MAC authentication: User-Name is the MAC, password empty or the MAC.
    assert login(server, mac, "", mac=mac).code == packet.AccessAccept
    assert login(server, mac, mac, mac=mac, chap=True).code == packet.AccessAccept
    assert message(login(server, "AA:BB:CC:00:00:08", "", mac="AA:BB:CC:00:00:08"))
    clock.advance(days=31)
    assert message(login(server, mac, "", mac=mac)).startswith("Kode voucher")


def test_guest_device_logs_in_with_its_token(
    server: RunningRadius, village: Village, sessions: sessionmaker[Session], clock: FakeClock
) -> None:
    mac = "AA:BB:CC:00:00:42"
    with sessions.begin() as session:
        profile = make_profile(session, name="gratis", session_timeout=1800)
        account = guest_account(
            session=session, site_id=village.site_id, profile_id=profile.id, mac=mac
        )
        token = mint_token(
            session=session,
            account_id=account.id,
            now=clock.now,
            router_id=village.router_id,
            mac=mac,
        )
    reply = login(server, "tamu-AABBCC000042", token, mac=mac)
    assert reply.code == packet.AccessAccept
    assert reply["Session-Timeout"] == [1800]


@pytest.mark.parametrize("chap", [False, True], ids=["pap", "chap"])
def test_a_token_replayed_from_another_router_is_refused(
    server: RunningRadius,
    village: Village,
    sessions: sessionmaker[Session],
    clock: FakeClock,
    box: SecretBox,
    chap: bool,
) -> None:
    with sessions.begin() as session:  # a second router of the same village
        site = session.get(Site, village.site_id)
        make_router(session, box, site=site, ip="127.0.0.2", secret=SECRET)
    server.refresh()
    token = _member_token(sessions, village, clock)
    reply = login(server, "budi", token, source="127.0.0.2", chap=chap)
    # Refused like a wrong password, and the token is still good where it was minted for.
    assert message(reply) == "Kode voucher atau kata sandi salah."
    assert login(server, "budi", token, chap=chap).code == packet.AccessAccept


@pytest.mark.parametrize("chap", [False, True], ids=["pap", "chap"])
def test_a_token_replayed_for_another_device_is_refused(
    server: RunningRadius,
    village: Village,
    sessions: sessionmaker[Session],
    clock: FakeClock,
    chap: bool,
) -> None:
    mac = "AA:BB:CC:00:00:09"
    token = _member_token(sessions, village, clock, mac=mac, remember_device=True)
    thief = "AA:BB:CC:00:00:66"
    assert message(login(server, "budi", token, mac=thief, chap=chap)) == (
        "Kode voucher atau kata sandi salah."
    )
    with sessions() as session:
        assert session.scalars(select(AccountDevice.mac)).all() == []
        assert session.scalars(select(LoginToken.used_at)).one() is None
    # The device it was minted for, as RouterOS may spell its MAC: accepted and remembered.
    reply = login(server, "budi", token, mac="aa-bb-cc-00-00-09", chap=chap)
    assert reply.code == packet.AccessAccept
    with sessions() as session:
        assert session.scalars(select(AccountDevice.mac)).all() == [mac]
    assert message(login(server, thief, "", mac=thief)).startswith("Kode voucher")
    assert login(server, mac, "", mac=mac).code == packet.AccessAccept


def test_a_guest_token_counts_only_for_its_device(
    server: RunningRadius, village: Village, sessions: sessionmaker[Session], clock: FakeClock
) -> None:
    mac, other = "AA:BB:CC:00:00:42", "AA:BB:CC:00:00:43"
    with sessions.begin() as session:
        profile = make_profile(session, name="gratis")
        account = guest_account(
            session=session, site_id=village.site_id, profile_id=profile.id, mac=mac
        )
        token = mint_token(
            session=session,
            account_id=account.id,
            now=clock.now,
            router_id=village.router_id,
            mac=mac,
        )
    # The guest's user name with someone else's device: the token is not theirs.
    assert message(login(server, "tamu-AABBCC000042", token, mac=other)).startswith("Kode voucher")
    assert login(server, "tamu-AABBCC000042", token, mac=mac).code == packet.AccessAccept


def test_housekeeping_purges_spent_tokens(
    server: RunningRadius, village: Village, sessions: sessionmaker[Session], clock: FakeClock
) -> None:
    used = _member_token(sessions, village, clock)
    assert login(server, "budi", used).code == packet.AccessAccept
    _member_token(sessions, village, clock)  # never used
    clock.advance(minutes=30)
    recent = _member_token(sessions, village, clock)
    clock.advance(minutes=32)  # the first two expired over an hour ago
    server.call(lambda: server.worker.housekeep_now(force_reap=True))
    with sessions() as session:
        assert session.scalars(select(LoginToken.token)).all() == [recent]
