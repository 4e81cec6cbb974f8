"""Who may log in, decided over a snapshot of one account: pure functions, no database.

Each check raises `LoginRefused` with a reason and a message (an English msgid with its
parameters); the RADIUS edge translates it into the Bahasa Indonesia that villagers see on the
router's login page (RouterOS shows the Reply-Message as-is).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from wifidesa.access.ways import LoginKind, login_kind
from wifidesa.db.models import AccountKind, AccountStatus, AfterQuota
from wifidesa.messages import Message
from wifidesa.usage.quota import Limit, Usage, block_message, quota_status


class RejectReason(StrEnum):
    BAD_CREDENTIALS = "bad_credentials"
    LOGIN_EXPIRED = "login_expired"
    EXPIRED = "expired"
    OTHER_SITE = "other_site"
    OTHER_DEVICE = "other_device"
    TOO_MANY_DEVICES = "too_many_devices"
    DISABLED = "disabled"
    REVOKED = "revoked"
    SITE_INACTIVE = "site_inactive"
    WAY_CLOSED = "way_closed"
    QUOTA_EXCEEDED = "quota_exceeded"


# What the villager reads on the router's login page, as English msgids: the RADIUS edge
# translates them to Bahasa Indonesia through the catalogue when it builds the Reply-Message.
MESSAGES = {
    RejectReason.BAD_CREDENTIALS: "Wrong voucher code or password.",
    RejectReason.LOGIN_EXPIRED: "The login took too long. Please log in again.",
    RejectReason.EXPIRED: "This voucher is past its validity.",
    RejectReason.OTHER_SITE: "This voucher is valid only in {site}.",
    RejectReason.OTHER_DEVICE: "This voucher is in use on another device.",
    RejectReason.TOO_MANY_DEVICES: "The limit of {devices} device(s) at once is reached.",
    RejectReason.DISABLED: "This account is disabled. Contact the village admin.",
    RejectReason.REVOKED: "This voucher was cancelled. Contact the village admin.",
    RejectReason.SITE_INACTIVE: "The Wi-Fi service of this village is not active now.",
    RejectReason.WAY_CLOSED: "This village does not offer this way of logging in.",
    # Refusals of a used-up quota carry their own message (wifidesa.usage.quota.block_message).
    RejectReason.QUOTA_EXCEEDED: "Your quota is used up.",
}


class LoginRefused(Exception):
    """A login refused for a reason; `message` says why (a msgid and its parameters)."""

    def __init__(
        self, reason: RejectReason, /, *, detail: Message | None = None, **params: object
    ) -> None:
        self.reason = reason
        self.message = detail if detail is not None else Message(MESSAGES[reason], params)
        super().__init__(reason.value)


@dataclass(frozen=True)
class ProfileLimits:
    rate_limit: str | None
    session_timeout: int | None
    idle_timeout: int | None
    interim_interval: int
    devices_at_once: int
    validity_seconds: int | None
    remember_device_days: int
    after_quota: AfterQuota = AfterQuota.BLOCK
    throttle_rate_limit: str | None = None


@dataclass(frozen=True)
class TokenState:
    id: int
    token: str
    expires_at: datetime
    used_at: datetime | None
    mac: str | None
    remember_device: bool
    router_id: int | None = None


@dataclass
class AccountState:
    """What the rules need to know about one account, read in one go."""

    id: int
    kind: AccountKind
    site_id: int
    site_name: str
    site_active: bool
    status: AccountStatus
    profile: ProfileLimits
    first_used_at: datetime | None
    expires_at: datetime | None
    way_offered: bool = True  # the village offers this kind of login (access.ways)
    voucher_code: str | None = None
    voucher_password: str | None = None
    bound_macs: set[str] = field(default_factory=set)
    open_session_macs: list[str] = field(default_factory=list)
    tokens: list[TokenState] = field(default_factory=list)
    remembered_macs: set[str] = field(default_factory=set)
    zone: str = "Asia/Makassar"
    limits: tuple[Limit, ...] = ()
    usage: dict[date, Usage] = field(default_factory=dict)


@dataclass(frozen=True)
class Credential:
    """How a request proves itself: a voucher secret, a one-time token, or a remembered MAC."""

    kind: str  # "voucher" | "token" | "mac"
    token: TokenState | None = None


@dataclass(frozen=True)
class Changes:
    """What an accepted login changes: first use, a new bound device, a used token."""

    first_use: bool = False
    expires_at: datetime | None = None
    bind_mac: str | None = None
    remember_until: datetime | None = None
    used_token_id: int | None = None


Verify = Callable[[str], bool]


def find_credential(
    state: AccountState,
    verify: Verify,
    mac: str | None,
    now: datetime,
    mac_login: bool,
    router_id: int | None = None,
) -> Credential:
    """Which of the account's secrets the request proves, or refuse.

    A token counts only from the router it was minted for and for the device (MAC) it was
    minted for: replayed elsewhere it is refused like a wrong password, telling nothing."""
    if mac_login:
        if mac and mac in state.remembered_macs and (verify("") or verify(mac)):
            return Credential(kind="mac")
        raise LoginRefused(RejectReason.BAD_CREDENTIALS)
    if state.kind is AccountKind.VOUCHER and state.voucher_code is not None:
        secret = state.voucher_password or state.voucher_code
        if verify(secret):
            return Credential(kind="voucher")
    expired_match = False
    for token in state.tokens:
        if token.used_at is not None or token.router_id != router_id or token.mac != mac:
            continue
        if verify(token.token):
            if token.expires_at > now:
                return Credential(kind="token", token=token)
            expired_match = True
    raise LoginRefused(
        RejectReason.LOGIN_EXPIRED if expired_match else RejectReason.BAD_CREDENTIALS
    )


def check_status(state: AccountState) -> None:
    if state.status is AccountStatus.REVOKED:
        raise LoginRefused(RejectReason.REVOKED)
    if state.status is AccountStatus.DISABLED:
        raise LoginRefused(RejectReason.DISABLED)


def check_site(state: AccountState, site_id: int) -> None:
    if state.site_id != site_id:
        raise LoginRefused(RejectReason.OTHER_SITE, site=state.site_name)
    if not state.site_active:
        raise LoginRefused(RejectReason.SITE_INACTIVE)
    if not state.way_offered:
        raise LoginRefused(RejectReason.WAY_CLOSED)


def check_validity(state: AccountState, now: datetime) -> datetime | None:
    """The moment the account stops being valid (None: never); refuse if it has passed.

    An `expires_at` set before first use is a use-by end (a voucher batch's "berlaku sampai"
    date): the profile's validity starts at first use but never runs past it.
    """
    expires_at = state.expires_at
    if state.first_used_at is None and state.profile.validity_seconds:
        running = now + timedelta(seconds=state.profile.validity_seconds)
        expires_at = running if expires_at is None else min(expires_at, running)
    if expires_at is not None and expires_at <= now:
        raise LoginRefused(RejectReason.EXPIRED)
    return expires_at


def check_devices(state: AccountState, mac: str | None) -> str | None:
    """Enforce binding (vouchers) and devices at once; returns a MAC to bind, if any."""
    limit = state.profile.devices_at_once
    bind = state.kind is AccountKind.VOUCHER and mac is not None and mac not in state.bound_macs
    # A voucher binds to its first device(s), up to the profile's devices at once.
    if bind and len(state.bound_macs) >= limit:
        raise LoginRefused(RejectReason.OTHER_DEVICE)
    others_online = {m for m in state.open_session_macs if m != mac}
    if len(others_online) >= limit:
        raise LoginRefused(RejectReason.TOO_MANY_DEVICES, devices=limit)
    return mac if bind else None


@dataclass(frozen=True)
class Accepted:
    changes: Changes
    session_timeout: int | None
    rate_limit: str | None
    kind: LoginKind
    # The byte cap the router enforces (Mikrotik-Total-Limit): the data left of a blocking
    # quota; None when the router must not end the session on bytes (no quota, or throttle).
    bytes_left: int | None = None
    throttled: bool = False


@dataclass(frozen=True)
class QuotaOutcome:
    """What the quota asks of the router for one login: the caps it ends the session at."""

    throttled: bool
    bytes_left: int | None  # cap on bytes (Mikrotik-Total-Limit); None: no cap
    seconds_left: int | None  # cap on time (bounds Session-Timeout); None: no cap


def check_quota(state: AccountState, now: datetime) -> QuotaOutcome:
    """Refuse (block) or throttle an account whose quota is used up; else the caps that
    make the router end the session when the quota runs out (blocking profiles only)."""
    if not state.limits:
        return QuotaOutcome(False, None, None)
    status = quota_status(state.limits, state.usage, now, state.zone)
    if state.profile.after_quota is AfterQuota.THROTTLE:
        # Slowed, not cut: RouterOS *ends* a hotspot session when Mikrotik-Total-Limit or
        # Session-Timeout runs out, so a throttle profile gets neither from its quota. Our
        # CoA (Mikrotik-Rate-Limit) slows the live session after the interim update that
        # crosses the quota: the quota can overshoot by one interim interval's traffic.
        return QuotaOutcome(status.over, None, None)
    if not status.over:
        return QuotaOutcome(False, status.bytes_left, status.seconds_left)
    raise LoginRefused(RejectReason.QUOTA_EXCEEDED, detail=block_message(status, state.zone))


def decide(
    state: AccountState,
    *,
    verify: Verify,
    mac: str | None,
    site_id: int,
    now: datetime,
    mac_login: bool = False,
    router_id: int | None = None,
) -> Accepted:
    """Run every rule for one request against one account; raise `LoginRefused` or accept."""
    credential = find_credential(state, verify, mac, now, mac_login, router_id)
    check_status(state)
    check_site(state, site_id)
    expires_at = check_validity(state, now)
    bind_mac = check_devices(state, mac)
    quota = check_quota(state, now)
    remember_until = None
    token = credential.token
    # The device remembered is the one the token was minted for (the request's, see above).
    remembered = token.mac if token is not None and token.remember_device else None
    if remembered and state.profile.remember_device_days:
        remember_until = now + timedelta(days=state.profile.remember_device_days)
    timeout = state.profile.session_timeout
    bounds = [quota.seconds_left] if quota.seconds_left is not None else []
    if expires_at is not None:
        bounds.append(max(1, int((expires_at - now).total_seconds())))
    for bound in bounds:
        timeout = bound if timeout is None else min(timeout, bound)
    changes = Changes(
        first_use=state.first_used_at is None,
        expires_at=expires_at if state.first_used_at is None else None,  # stored at first use
        bind_mac=bind_mac if bind_mac else (remembered if remember_until else None),
        remember_until=remember_until,
        used_token_id=token.id if token else None,
    )
    rate = state.profile.throttle_rate_limit if quota.throttled else state.profile.rate_limit
    return Accepted(
        changes=changes,
        session_timeout=timeout,
        rate_limit=rate,
        kind=login_kind(account=state.kind, mac_login=mac_login),
        bytes_left=quota.bytes_left,
        throttled=quota.throttled,
    )


def apply_in_memory(state: AccountState, changes: Changes, now: datetime) -> None:
    """Update the snapshot so later requests in the same batch see this login's effects."""
    if changes.first_use:
        state.first_used_at = now
    if changes.expires_at is not None:
        state.expires_at = changes.expires_at
    if changes.bind_mac:
        state.bound_macs.add(changes.bind_mac)
    if changes.remember_until and changes.bind_mac:
        state.remembered_macs.add(changes.bind_mac)
    if changes.used_token_id is not None:
        state.tokens = [
            replace(t, used_at=now) if t.id == changes.used_token_id else t for t in state.tokens
        ]
