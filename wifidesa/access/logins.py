"""Login decisions for a batch of requests: read accounts once, decide, write, one transaction.

The RADIUS edge batches Access-Requests that arrive together, so a burst of logins costs a
handful of queries rather than a handful per login. The rules themselves are in login_rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import cast

from sqlalchemy import Table, bindparam, select
from sqlalchemy.orm import Session

from wifidesa.access.rules import (
    Accepted,
    AccountState,
    Changes,
    LoginRefused,
    RejectReason,
    Verify,
    apply_in_memory,
    decide,
)
from wifidesa.access.snapshot import Snapshot, load_snapshot
from wifidesa.access.ways import LoginKind
from wifidesa.db.bulk import Writes, is_postgresql
from wifidesa.db.models import (
    Account,
    AccountDevice,
    LoginToken,
)
from wifidesa.messages import Message
from wifidesa.usernames import LoginName, parse_login_name

CLASS_PREFIX = "wd:"
_NO_CHANGES = Changes()


@dataclass(frozen=True)
class LoginRequest:
    username: str
    verify: Verify  # does this cleartext match the request's PAP or CHAP proof?
    mac: str | None  # normalised AA:BB:CC:DD:EE:FF
    site_id: int  # the site of the router that asks
    router_id: int | None = None  # the router that asks: a token counts only from its own


@dataclass(frozen=True)
class ReplyLimits:
    rate_limit: str | None
    session_timeout: int | None
    idle_timeout: int | None
    interim_interval: int
    class_: bytes
    total_bytes: int | None = None  # bytes left of the data quota: Mikrotik-Total-Limit
    throttled: bool = False


@dataclass(frozen=True)
class LoginDecision:
    accepted: bool
    account_id: int | None = None
    reason: RejectReason | None = None
    message: Message | None = None  # why it was refused, for the edge to translate
    limits: ReplyLimits | None = None
    kind: LoginKind | None = None  # how an accepted login was made


def account_class(account_id: int, *, throttled: bool = False) -> bytes:
    """The Class attribute: echoed by the router in accounting, so sessions find their account
    (and a session accepted at the throttle rate is stored as throttled from its Start, so the
    quota's reset restores it even if it never uses a byte more)."""
    return f"{CLASS_PREFIX}{account_id}{_THROTTLED.decode() if throttled else ''}".encode()


_CLASS_PREFIX = CLASS_PREFIX.encode()
_THROTTLED = b"/t"


def throttled_in_class(value: bytes | None) -> bool:
    """Whether a Class we gave says the session was accepted at the throttle rate."""
    return (
        account_from_class(value) is not None and value is not None and value.endswith(_THROTTLED)
    )


_MAX_ACCOUNT_ID = (1 << 31) - 1  # accounts.id is a 32-bit column


def account_from_class(value: bytes | None) -> int | None:
    """The account id in a Class we gave, None if it holds none: plain digits only (int()
    also takes signs, spaces and underscores) and within the id column's range, so that a
    forged Class cannot make a lookup fail."""
    if not value or not value.startswith(_CLASS_PREFIX):
        return None
    digits = value[len(_CLASS_PREFIX) :].removesuffix(_THROTTLED)
    if not digits.isdigit() or len(digits) > 10:
        return None
    account_id = int(digits)
    return account_id if 0 < account_id <= _MAX_ACCOUNT_ID else None


def _lock_accounts(session: Session, ids: Iterable[int]) -> None:
    # PostgreSQL: two workers must not both bind a device to, or use a token of, one account.
    # One ordered statement, so two batches never wait for each other in a cycle.
    query = select(Account.id).where(Account.id.in_(sorted(ids))).order_by(Account.id)
    session.execute(query.with_for_update())


def _candidates(snap: Snapshot, name: LoginName, site_id: int) -> list[AccountState]:
    if name.mac:
        return [snap.by_id[i] for i in snap.by_mac.get(name.mac, [])]
    ids = [snap.by_code.get(name.voucher_code), snap.by_member.get(name.member_username)]
    if name.guest_mac:
        ids.append(snap.by_guest.get((site_id, name.guest_mac)))
    return [snap.by_id[i] for i in ids if i is not None]


def _decide_one(
    snap: Snapshot, name: LoginName, request: LoginRequest, now: datetime
) -> tuple[AccountState, Accepted] | LoginRefused:
    candidates = _candidates(snap, name, request.site_id)
    refusal = LoginRefused(RejectReason.BAD_CREDENTIALS)
    # With MAC authentication, prefer an account of this site.
    candidates.sort(key=lambda s: s.site_id != request.site_id)
    for state in candidates:
        try:
            return state, decide(
                state,
                verify=request.verify,
                mac=request.mac,
                site_id=request.site_id,
                now=now,
                mac_login=bool(name.mac),
                router_id=request.router_id,
            )
        except LoginRefused as exc:
            if (
                exc.reason is not RejectReason.BAD_CREDENTIALS
                or refusal.reason is RejectReason.BAD_CREDENTIALS
            ):
                refusal = exc
    return refusal


class WritesNeeded(Exception):
    """A read-only attempt found logins that change state; decide again in a write transaction."""


def decide_logins(
    *, session: Session, requests: Sequence[LoginRequest], now: datetime, read_only: bool = False
) -> list[LoginDecision]:
    """Decide every request of a batch and write what accepted logins change (not committed).

    With `read_only`, raise WritesNeeded instead of writing: most logins are a device coming
    back, which changes nothing, and such batches need no write lock (SQLite).
    """
    names = [_parse_name(r.username) for r in requests]
    snap = load_snapshot(session=session, names=names, now=now)
    outcomes = [_decide_one(snap, n, r, now) for n, r in zip(names, requests, strict=True)]
    must_write = any(isinstance(o, tuple) and o[1].changes != _NO_CHANGES for o in outcomes)
    if not must_write:
        # Nothing changes, so no login can affect a later one in the batch: these stand.
        return [_decision(outcome) for outcome in outcomes]
    if read_only:
        raise WritesNeeded
    if is_postgresql(session):
        # Decide again under row locks: another worker may have bound a device meanwhile.
        _lock_accounts(session, snap.by_id)
        snap = load_snapshot(session=session, names=names, now=now)
    # Again one by one, each seeing what the earlier ones of the batch changed (a device bound
    # by the first of two logins with one voucher counts for the second).
    decisions: list[LoginDecision] = []
    writes = _Writes()
    for name, request in zip(names, requests, strict=True):
        outcome = _decide_one(snap, name, request, now)
        if not isinstance(outcome, LoginRefused):
            state, accepted = outcome
            apply_in_memory(state, accepted.changes, now)
            writes.add(state.id, accepted, now)
        decisions.append(_decision(outcome))
    writes.flush(session)
    return decisions


# The same few thousand names log in again and again; parsing one (regular expressions for MAC
# forms) showed in profiles of login bursts. LoginName is immutable, so a cache is safe.
_parse_name = lru_cache(maxsize=65_536)(parse_login_name)


def _decision(outcome: tuple[AccountState, Accepted] | LoginRefused) -> LoginDecision:
    if isinstance(outcome, LoginRefused):
        return LoginDecision(accepted=False, reason=outcome.reason, message=outcome.message)
    state, accepted = outcome
    profile = state.profile
    return LoginDecision(
        accepted=True,
        account_id=state.id,
        kind=accepted.kind,
        limits=ReplyLimits(
            rate_limit=accepted.rate_limit,
            session_timeout=accepted.session_timeout,
            idle_timeout=profile.idle_timeout,
            interim_interval=profile.interim_interval,
            class_=account_class(state.id, throttled=accepted.throttled),
            total_bytes=accepted.bytes_left,
            throttled=accepted.throttled,
        ),
    )


class _Writes:
    def __init__(self) -> None:
        self.first_use: list[dict[str, object]] = []
        self.devices: list[dict[str, object]] = []
        self.remember: list[dict[str, object]] = []
        self.tokens: list[dict[str, object]] = []

    def add(self, account_id: int, accepted: Accepted, now: datetime) -> None:
        changes = accepted.changes
        if changes.first_use:
            self.first_use.append(
                {"b_id": account_id, "first_used_at": now, "expires_at": changes.expires_at}
            )
        if changes.bind_mac:
            self.devices.append(
                {
                    "account_id": account_id,
                    "mac": changes.bind_mac,
                    "first_seen_at": now,
                    "last_seen_at": now,
                }
            )
        if changes.remember_until and changes.bind_mac:
            self.remember.append(
                {
                    "account_id": account_id,
                    "mac": changes.bind_mac,  # the token's device
                    "first_seen_at": now,
                    "last_seen_at": now,
                    "remembered_until": changes.remember_until,
                }
            )
        if changes.used_token_id is not None:
            self.tokens.append({"b_id": changes.used_token_id, "used_at": now})

    def flush(self, session: Session) -> None:
        accounts = cast(Table, Account.__table__)
        if self.first_use:
            session.connection().execute(
                accounts.update()
                .where(accounts.c.id == bindparam("b_id"), accounts.c.first_used_at.is_(None))
                .values(
                    first_used_at=bindparam("first_used_at"), expires_at=bindparam("expires_at")
                ),
                self.first_use,
            )
        devices, device_key = cast(Table, AccountDevice.__table__), ("account_id", "mac")
        # Two statements: a device bound now may be remembered now too (the same row).
        Writes(session).insert(devices, self.devices, keys=device_key).flush()
        Writes(session).insert(
            devices, self.remember, keys=device_key, overwrite=("remembered_until", "last_seen_at")
        ).flush()
        if self.tokens:
            tokens = cast(Table, LoginToken.__table__)
            session.connection().execute(
                tokens.update()
                .where(tokens.c.id == bindparam("b_id"), tokens.c.used_at.is_(None))
                .values(used_at=bindparam("used_at")),
                self.tokens,
            )


__all__ = ["LoginDecision", "LoginRequest", "ReplyLimits", "decide_logins"]
