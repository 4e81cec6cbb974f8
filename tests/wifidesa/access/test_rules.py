"""The login rules on their own: snapshots in, acceptance or a reason out, no database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from wifidesa.access.rules import (
    AccountState,
    LoginRefused,
    ProfileLimits,
    RejectReason,
    TokenState,
    apply_in_memory,
    decide,
)
from wifidesa.access.ways import LoginKind
from wifidesa.db.models import AccountKind, AccountStatus, AfterQuota, QuotaPeriod
from wifidesa.i18n import gettext_for
from wifidesa.localtime import local_midnight
from wifidesa.usage.quota import Limit, Usage

NOW = datetime(2026, 2, 28, 15, 59, 59, tzinfo=UTC)  # a second before March 1st, WITA
# Villagers read refusals in Bahasa Indonesia (the RADIUS edge renders them so).
IN_BAHASA = gettext_for("id")
A, B, C = "AA:00:00:00:00:0A", "AA:00:00:00:00:0B", "AA:00:00:00:00:0C"


def voucher(devices: int = 1, validity: int | None = 3600, **kwargs: object) -> AccountState:
    profile = ProfileLimits(
        rate_limit="1M/2M",
        session_timeout=None,
        idle_timeout=None,
        interim_interval=300,
        devices_at_once=devices,
        validity_seconds=validity,
        remember_device_days=7,
    )
    fields: dict[str, object] = {
        "id": 1,
        "kind": AccountKind.VOUCHER,
        "site_id": 1,
        "site_name": "Desa A",
        "site_active": True,
        "status": AccountStatus.ACTIVE,
        "profile": profile,
        "first_used_at": None,
        "expires_at": None,
        "voucher_code": "ABCDEFGHJK",
    } | kwargs
    return AccountState(**fields)  # type: ignore[arg-type]


def is_(secret: str) -> object:
    return lambda candidate: candidate == secret


def refused(state: AccountState, reason: RejectReason, **kwargs: object) -> LoginRefused:
    args: dict[str, object] = {
        "verify": is_("ABCDEFGHJK"),
        "mac": A,
        "site_id": 1,
        "now": NOW,
    } | kwargs
    with pytest.raises(LoginRefused) as info:
        decide(state, **args)  # type: ignore[arg-type]
    assert info.value.reason is reason
    return info.value


def test_first_use_sets_expiry_and_binds() -> None:
    accepted = decide(voucher(), verify=is_("ABCDEFGHJK"), mac=A, site_id=1, now=NOW)
    assert accepted.changes.first_use
    assert accepted.changes.expires_at == NOW + timedelta(hours=1)
    assert accepted.changes.bind_mac == A
    assert accepted.session_timeout == 3600


def test_validity_limits_the_session_timeout() -> None:
    state = voucher(
        first_used_at=NOW - timedelta(minutes=50),
        expires_at=NOW + timedelta(minutes=10),
        bound_macs={A},
    )
    accepted = decide(state, verify=is_("ABCDEFGHJK"), mac=A, site_id=1, now=NOW)
    assert accepted.session_timeout == 600
    assert accepted.changes.first_use is False and accepted.changes.bind_mac is None


def test_expiry_is_exact_to_the_second() -> None:
    state = voucher(first_used_at=NOW - timedelta(hours=1), expires_at=NOW, bound_macs={A})
    refused(state, RejectReason.EXPIRED)


def test_binding_then_devices_at_once() -> None:
    state = voucher(devices=2, bound_macs={A, B}, open_session_macs=[A])
    assert (
        refused(state, RejectReason.OTHER_DEVICE, mac=C).message.render(IN_BAHASA)
        == "Voucher ini sudah dipakai di perangkat lain."
    )
    state = voucher(devices=2, bound_macs={A, B}, open_session_macs=[A, B])
    decide(state, verify=is_("ABCDEFGHJK"), mac=A, site_id=1, now=NOW)  # A comes back


def test_member_second_device_is_too_many() -> None:
    token = TokenState(7, "tok", NOW + timedelta(seconds=30), None, B, False, router_id=5)
    member = voucher(
        kind=AccountKind.MEMBER, voucher_code=None, devices=1, open_session_macs=[A], tokens=[token]
    )
    error = refused(member, RejectReason.TOO_MANY_DEVICES, mac=B, verify=is_("tok"), router_id=5)
    assert error.message.render(IN_BAHASA) == "Batas 1 perangkat sekaligus sudah tercapai."


def test_wrong_site_names_the_right_village() -> None:
    assert (
        refused(voucher(), RejectReason.OTHER_SITE, site_id=2).message.render(IN_BAHASA)
        == "Voucher ini hanya berlaku di Desa A."
    )


def test_credentials_are_checked_before_anything_is_revealed() -> None:
    refused(
        voucher(status=AccountStatus.REVOKED),
        RejectReason.BAD_CREDENTIALS,
        verify=is_("nope"),
        site_id=2,
    )


def test_used_token_counts_once_within_a_batch() -> None:
    token = TokenState(7, "tok", NOW + timedelta(seconds=30), None, A, True, router_id=5)
    member = voucher(kind=AccountKind.MEMBER, voucher_code=None, devices=3, tokens=[token])
    accepted = decide(member, verify=is_("tok"), mac=A, site_id=1, now=NOW, router_id=5)
    assert accepted.changes.used_token_id == 7
    assert accepted.changes.remember_until == NOW + timedelta(days=7)
    assert accepted.changes.bind_mac == A
    apply_in_memory(member, accepted.changes, NOW)
    refused(member, RejectReason.BAD_CREDENTIALS, verify=is_("tok"), router_id=5)
    # ...and the remembered device now logs in by MAC.
    decide(member, verify=is_(""), mac=A, site_id=1, now=NOW, mac_login=True)


@pytest.mark.parametrize(
    ("mac", "router_id"),
    [(B, 5), (A, 6), (A, None), (None, 5)],
    ids=["other-mac", "other-router", "no-router", "no-mac"],
)
def test_a_token_counts_only_from_its_router_and_for_its_device(
    mac: str | None, router_id: int | None
) -> None:
    token = TokenState(7, "tok", NOW + timedelta(seconds=30), None, A, True, router_id=5)
    member = voucher(kind=AccountKind.MEMBER, voucher_code=None, devices=3, tokens=[token])
    # Refused like a wrong password: a replay learns nothing.
    error = refused(
        member, RejectReason.BAD_CREDENTIALS, verify=is_("tok"), mac=mac, router_id=router_id
    )
    assert error.message.render(IN_BAHASA) == "Kode voucher atau kata sandi salah."
    assert member.remembered_macs == set()
    decide(member, verify=is_("tok"), mac=A, site_id=1, now=NOW, router_id=5)


# A batch "berlaku sampai" 1 March 2026: usable until the end of that day in WITA (UTC+8).
USE_BY_END = local_midnight(date(2026, 3, 2), "Asia/Makassar")  # 2026-03-01 16:00 UTC
LAST_SECOND = USE_BY_END - timedelta(seconds=1)  # 1 March, 23:59:59 WITA


def _first_use(state: AccountState, now: datetime) -> datetime | None:
    accepted = decide(state, verify=is_("ABCDEFGHJK"), mac=A, site_id=1, now=now)
    assert accepted.changes.first_use
    return accepted.changes.expires_at


def test_use_by_caps_the_validity_that_starts_at_first_use() -> None:
    assert datetime(2026, 3, 1, 16, 0, tzinfo=UTC) == USE_BY_END
    early = LAST_SECOND - timedelta(hours=5)  # 18:59:59 WITA: the hour of validity fits
    assert _first_use(voucher(expires_at=USE_BY_END), early) == early + timedelta(hours=1)
    # At 23:59:59 WITA the paket's hour would run past midnight: it ends with the day.
    state = voucher(expires_at=USE_BY_END)
    accepted = decide(state, verify=is_("ABCDEFGHJK"), mac=A, site_id=1, now=LAST_SECOND)
    assert accepted.changes.expires_at == USE_BY_END
    assert accepted.session_timeout == 1
    apply_in_memory(state, accepted.changes, LAST_SECOND)
    refused(state, RejectReason.EXPIRED, now=USE_BY_END)  # the same card, a second later


def test_a_card_never_used_by_its_date_is_refused() -> None:
    for late in (USE_BY_END, USE_BY_END + timedelta(days=9)):  # 2 March 00:00 WITA, and after
        error = refused(voucher(expires_at=USE_BY_END), RejectReason.EXPIRED, now=late)
        assert error.message.render(IN_BAHASA) == "Masa berlaku voucher sudah habis."


def test_without_a_profile_validity_the_use_by_end_is_the_expiry() -> None:
    state = voucher(validity=None, expires_at=USE_BY_END)
    assert _first_use(state, LAST_SECOND - timedelta(days=20)) == USE_BY_END
    assert _first_use(voucher(validity=None), NOW) is None  # no date, no validity: never


MB = 1024 * 1024
DAILY = (Limit(QuotaPeriod.DAY, MB, 3600),)  # 1 MiB and one hour a day
TODAY = date(2026, 2, 28)  # NOW's local day (23:59:59 WITA)


def on_quota(after: AfterQuota, used: Usage, **kwargs: object) -> AccountState:
    """A bound voucher of a profile with a daily quota, `used` of it spent today."""
    state = voucher(validity=None, bound_macs={A}, limits=DAILY, usage={TODAY: used}, **kwargs)
    state.profile = replace(state.profile, after_quota=after, throttle_rate_limit="64k/128k")
    return state


def test_a_blocking_quota_caps_the_session_at_what_is_left() -> None:
    state = on_quota(AfterQuota.BLOCK, Usage(octets=400_000, seconds=600))
    accepted = decide(state, verify=is_("ABCDEFGHJK"), mac=A, site_id=1, now=NOW)
    # The router ends the session itself when the quota runs out: Mikrotik-Total-Limit and
    # Session-Timeout carry what is left.
    assert accepted.bytes_left == MB - 400_000
    assert accepted.session_timeout == 3000
    assert accepted.rate_limit == "1M/2M" and not accepted.throttled


def test_a_throttle_quota_gives_the_router_no_cap_to_cut_the_session_at() -> None:
    state = on_quota(AfterQuota.THROTTLE, Usage(octets=400_000, seconds=600))
    accepted = decide(state, verify=is_("ABCDEFGHJK"), mac=A, site_id=1, now=NOW)
    # Neither the bytes nor the time left: at either the router would end the session, and a
    # throttle profile slows it (by CoA) instead.
    assert accepted.bytes_left is None
    assert accepted.session_timeout is None
    assert accepted.rate_limit == "1M/2M" and not accepted.throttled


def test_a_throttle_quota_keeps_the_caps_that_are_not_the_quota() -> None:
    # The profile's own session timeout and the voucher's validity still end the session.
    state = on_quota(
        AfterQuota.THROTTLE,
        Usage(octets=400_000, seconds=600),
        first_used_at=NOW - timedelta(hours=1),
        expires_at=NOW + timedelta(minutes=20),
    )
    state.profile = replace(state.profile, session_timeout=7200)
    accepted = decide(state, verify=is_("ABCDEFGHJK"), mac=A, site_id=1, now=NOW)
    assert accepted.session_timeout == 1200 and accepted.bytes_left is None


def test_over_a_throttle_quota_the_login_is_slow_and_uncapped() -> None:
    for used in (Usage(octets=MB, seconds=60), Usage(octets=10, seconds=3600)):
        state = on_quota(AfterQuota.THROTTLE, used)
        accepted = decide(state, verify=is_("ABCDEFGHJK"), mac=A, site_id=1, now=NOW)
        assert accepted.throttled and accepted.rate_limit == "64k/128k"
        assert accepted.bytes_left is None and accepted.session_timeout is None
        refused(on_quota(AfterQuota.BLOCK, used), RejectReason.QUOTA_EXCEEDED)


@pytest.mark.parametrize(
    ("account", "credential", "kind"),
    [
        (AccountKind.VOUCHER, "code", LoginKind.VOUCHER),
        (AccountKind.VOUCHER, "token", LoginKind.VOUCHER),  # a code the portal handed on
        (AccountKind.MEMBER, "token", LoginKind.RESIDENT),
        (AccountKind.GUEST, "token", LoginKind.FREE),
        (AccountKind.MEMBER, "mac", LoginKind.REMEMBERED_DEVICE),
        (AccountKind.GUEST, "mac", LoginKind.REMEMBERED_DEVICE),
    ],
)
def test_an_accepted_login_says_how_it_was_made(
    account: AccountKind, credential: str, kind: LoginKind
) -> None:
    token = TokenState(7, "tok", NOW + timedelta(seconds=30), None, A, False, router_id=5)
    state = voucher(
        kind=account,
        voucher_code="ABCDEFGHJK" if account is AccountKind.VOUCHER else None,
        tokens=[token],
        remembered_macs={A},
    )
    secret = {"code": "ABCDEFGHJK", "token": "tok", "mac": ""}[credential]
    accepted = decide(
        state,
        verify=is_(secret),
        mac=A,
        site_id=1,
        now=NOW,
        router_id=5,
        mac_login=credential == "mac",
    )
    assert accepted.kind is kind
