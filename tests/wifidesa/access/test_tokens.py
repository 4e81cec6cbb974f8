"""Minting one-time tokens: limits per device, per account and per router (new guests), counted
from the tokens table; and the snapshot, which reads only the tokens that can still log in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session, sessionmaker
from wdtest.factories import make_member, make_profile, make_router, make_site

from wifidesa.access import tokens
from wifidesa.access.captive import HotspotClient, free_login
from wifidesa.access.snapshot import load_snapshot
from wifidesa.access.tokens import MintRefused, mint_token, purge_tokens
from wifidesa.crypto import SecretBox
from wifidesa.db.models import GuestDevice, LoginToken, Router
from wifidesa.errors import ErrorCode, translate_error
from wifidesa.i18n import gettext_for
from wifidesa.usernames import parse_login_name

NOW = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
MAC, OTHER_MAC = "AA:BB:CC:00:00:01", "AA:BB:CC:00:00:02"


def _member(session: Session) -> tuple[int, int, int]:
    """A resident's account id and two routers of its village."""
    site = make_site(session)
    make_profile(session, name="warga")
    member = make_member(
        session=session,
        site_code=site.code,
        profile_name="warga",
        username="budi",
        password="rahasia-budi",
    )
    box = SecretBox("k" * 40)
    first, second = (make_router(session, box, site=site, secret="s" * 16) for _ in range(2))
    return member.account_id, first.id, second.id


def _live(session: Session, account_id: int, now: datetime) -> list[str]:
    return list(
        session.scalars(
            select(LoginToken.token)
            .where(
                LoginToken.account_id == account_id,
                LoginToken.used_at.is_(None),
                LoginToken.expires_at > now,
            )
            .order_by(LoginToken.id)
        )
    )


def test_a_sixth_live_token_expires_the_oldest(session: Session) -> None:
    account_id, router_id, _ = _member(session)
    minted = [
        mint_token(
            session=session,
            account_id=account_id,
            now=NOW + timedelta(seconds=n),
            router_id=router_id,
            mac=MAC,
        )
        for n in range(7)
    ]
    at = NOW + timedelta(seconds=6)
    assert _live(session, account_id, at) == minted[2:]  # the newest five
    # The expired ones stay, and still count for the device's limit until purged.
    assert session.scalar(select(func.count()).select_from(LoginToken)) == 7


def test_a_device_gets_ten_tokens_in_ten_minutes(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        account_id, router_id, other_router = _member(session)

    def mint(at: datetime, mac: str = MAC, router: int = router_id) -> str:
        # Each in its own transaction, as web processes do: the count is the table's.
        with sessions.begin() as session:
            return mint_token(
                session=session, account_id=account_id, now=at, router_id=router, mac=mac
            )

    for n in range(10):
        mint(NOW + timedelta(seconds=30 * n))
    late = NOW + timedelta(minutes=5)
    with pytest.raises(MintRefused) as info:
        mint(late)
    assert info.value.code is ErrorCode.TOO_MANY_LOGINS
    assert translate_error(info.value, gettext_for("id")) == (
        "Terlalu banyak login dari perangkat ini. Coba lagi dalam 5 menit."
    )
    with sessions() as session:  # a refusal mints nothing
        assert session.scalar(select(func.count()).select_from(LoginToken)) == 10
    mint(late, mac=OTHER_MAC)  # another device at the router
    mint(late, router=other_router)  # the device at another router of the village
    mint(NOW + timedelta(minutes=10, seconds=1))  # the first mint has left the window


def test_without_a_mac_the_router_shares_one_allowance(session: Session) -> None:
    account_id, router_id, _ = _member(session)
    for _ in range(10):
        mint_token(session=session, account_id=account_id, now=NOW, router_id=router_id)
    with pytest.raises(MintRefused):
        mint_token(session=session, account_id=account_id, now=NOW, router_id=router_id)


def _free_village(session: Session) -> tuple[Router, Router]:
    site = make_site(session)
    site.allow_free, site.free_profile_id = True, make_profile(session, name="gratis").id
    box = SecretBox("k" * 40)
    return make_router(session, box, site=site, secret="s" * 16), make_router(
        session, box, site=site, secret="s" * 16
    )


def test_a_router_makes_a_limited_number_of_guest_accounts_an_hour(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tokens, "NEW_GUESTS_PER_ROUTER", 3)
    router, other = _free_village(session)
    # Guest accounts are stamped with the wall clock when created, as the portal's `now` is.
    now = datetime.now(UTC)

    def free(mac: str, at: Router = router, when: datetime = now) -> None:
        client = HotspotClient(router=at.name, mac=mac)
        free_login(session=session, client=client, router=at, now=when)

    for n in range(3):
        free(f"AA:BB:CC:00:01:0{n}")
    with pytest.raises(MintRefused) as info:
        free("AA:BB:CC:00:01:09")  # a made-up MAC too many
    assert info.value.code is ErrorCode.FREE_ACCESS_BUSY
    assert info.value.params["minutes"] in (60, 61)  # when the first of the hour leaves it
    assert translate_error(info.value, gettext_for("id")).startswith(
        "Terlalu banyak perangkat baru meminta akses gratis di hotspot ini."
    )
    assert session.scalar(select(func.count()).select_from(GuestDevice)) == 3
    free("AA:BB:CC:00:01:00", when=now + timedelta(minutes=1))  # a known device is no new account
    free("AA:BB:CC:00:01:09", at=other)  # another router of the village has its own allowance
    free("AA:BB:CC:00:01:08", when=now + timedelta(hours=1, seconds=1))  # an hour later
    assert session.scalar(select(func.count()).select_from(GuestDevice)) == 5


def test_the_snapshot_reads_none_of_a_pile_of_spent_tokens(session: Session) -> None:
    account_id, router_id, _ = _member(session)
    pile = [
        {
            "token": f"old-{n}",
            "account_id": account_id,
            "router_id": router_id,
            "mac": MAC,
            "remember_device": False,
            "created_at": NOW - timedelta(minutes=20),  # out of the limit's window
            "expires_at": NOW - timedelta(seconds=n % 240),  # expired, up to this very moment
            "used_at": NOW - timedelta(minutes=1) if n % 10 == 0 else None,
        }
        for n in range(5000)
    ]
    pile.append(pile[0] | {"token": "used-live", "expires_at": NOW + timedelta(seconds=30)})
    session.execute(insert(LoginToken), pile)
    live = mint_token(session=session, account_id=account_id, now=NOW, router_id=router_id, mac=MAC)
    snap = load_snapshot(session=session, names=[parse_login_name("budi")], now=NOW)
    (state,) = snap.by_id.values()
    assert [t.token for t in state.tokens] == [live]
    assert state.tokens[0].router_id == router_id and state.tokens[0].mac == MAC


def test_purge_deletes_tokens_an_hour_after_they_expired(session: Session) -> None:
    account_id, router_id, _ = _member(session)
    old = mint_token(session=session, account_id=account_id, now=NOW, router_id=router_id)
    later = NOW + timedelta(hours=1, seconds=30)
    recent = mint_token(session=session, account_id=account_id, now=later, router_id=router_id)
    assert purge_tokens(session=session, now=NOW + timedelta(hours=1, seconds=61)) == 1
    assert list(session.scalars(select(LoginToken.token))) == [recent]
    assert old != recent
