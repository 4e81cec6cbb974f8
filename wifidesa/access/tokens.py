"""One-time login tokens: the portal mints one after checking a resident's password or a free
access click-through; the router then sends it to RADIUS as the password, once, within a minute.

A router's name is in its village's login page, so anyone can ask the portal for tokens (and,
with made-up MACs, for guest accounts). Minting is therefore limited, counted from the tokens
table itself (every token keeps its router, MAC and minting time), so every web process sees
the same counts:
- per device: at most MINTS_PER_DEVICE successful mints per (router, MAC) in MINT_WINDOW;
- per account: at most LIVE_TOKENS_PER_ACCOUNT tokens that can still log in; minting one more
  expires the oldest (a villager who tries again is never refused for it, and RADIUS never has
  more than a handful of an account's tokens to check);
- per router: at most NEW_GUESTS_PER_ROUTER guest accounts created in GUEST_WINDOW (a device
  the site has never seen makes a guest account for good, and MACs are easy to make up).
"""

from __future__ import annotations

import math
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from wifidesa.db.models import Account, AccountKind, GuestDevice, LoginToken
from wifidesa.errors import ErrorCode, WifidesaError

TOKEN_TTL = timedelta(seconds=60)
_KEEP_USED = timedelta(hours=1)  # kept for the counts below (at least their longest window)
LIVE_TOKENS_PER_ACCOUNT = 5
MINTS_PER_DEVICE = 10
MINT_WINDOW = timedelta(minutes=10)
NEW_GUESTS_PER_ROUTER = 100
GUEST_WINDOW = timedelta(hours=1)


class MintRefused(WifidesaError):
    """Too many logins asked for (a device, or new devices at a router): try again later."""


def _minutes_until(moment: datetime, now: datetime) -> int:
    return max(1, math.ceil((moment - now).total_seconds() / 60))


def _is(column: Any, value: object) -> Any:
    return column.is_(None) if value is None else column == value


def mint_token(
    *,
    session: Session,
    account_id: int,
    now: datetime,
    router_id: int | None = None,
    mac: str | None = None,
    remember_device: bool = False,
    ttl: timedelta = TOKEN_TTL,
) -> str:
    """A fresh random token (128 bits, URL-safe) for one login of this account, good only at
    this router for this MAC; `MintRefused` if this device asked for too many lately."""
    since = now - MINT_WINDOW
    count, oldest = session.execute(
        select(func.count(), func.min(LoginToken.created_at)).where(
            _is(LoginToken.router_id, router_id),
            _is(LoginToken.mac, mac),
            LoginToken.created_at > since,
            LoginToken.expires_at > since,  # implied (a token expires after its minting): indexed
        )
    ).one()
    if count >= MINTS_PER_DEVICE:
        raise MintRefused(
            ErrorCode.TOO_MANY_LOGINS, minutes=_minutes_until(oldest + MINT_WINDOW, now)
        )
    token = secrets.token_urlsafe(16)
    session.add(
        LoginToken(
            token=token,
            account_id=account_id,
            router_id=router_id,
            mac=mac,
            remember_device=remember_device,
            created_at=now,
            expires_at=now + ttl,
        )
    )
    session.flush()
    _expire_surplus(session, account_id, now)
    return token


def _expire_surplus(session: Session, account_id: int, now: datetime) -> None:
    """Expire all but the newest LIVE_TOKENS_PER_ACCOUNT live tokens of the account. They stay
    in the table (expired now), so they still count for the per-device limit until purged."""
    live = (LoginToken.account_id == account_id, LoginToken.used_at.is_(None))
    newest = (
        select(LoginToken.id)
        .where(*live, LoginToken.expires_at > now)
        .order_by(LoginToken.created_at.desc(), LoginToken.id.desc())
        .limit(LIVE_TOKENS_PER_ACCOUNT)
    )
    session.execute(
        update(LoginToken)
        .where(*live, LoginToken.expires_at > now, LoginToken.id.not_in(newest))
        .values(expires_at=now)
        .execution_options(synchronize_session=False)
    )


def check_new_guest(
    *, session: Session, router_id: int, site_id: int, mac: str, now: datetime
) -> None:
    """Before a device's free access: `MintRefused` if it would be a new guest account and the
    router already made NEW_GUESTS_PER_ROUTER of them in the last hour. (A guest account is
    made by the router's portal login, which mints its first token there at once.)"""
    known = session.scalar(
        select(GuestDevice.account_id).where(GuestDevice.site_id == site_id, GuestDevice.mac == mac)
    )
    if known is not None:
        return
    since = now - GUEST_WINDOW
    made = (
        select(Account.id, Account.created_at)
        .join(LoginToken, LoginToken.account_id == Account.id)
        .where(
            LoginToken.router_id == router_id,
            LoginToken.created_at > since,
            LoginToken.expires_at > since,
            Account.kind == AccountKind.GUEST,
            Account.created_at > since,
        )
        .distinct()
        .subquery()
    )
    count, oldest = session.execute(select(func.count(), func.min(made.c.created_at))).one()
    if count >= NEW_GUESTS_PER_ROUTER:
        raise MintRefused(
            ErrorCode.FREE_ACCESS_BUSY, minutes=_minutes_until(oldest + GUEST_WINDOW, now)
        )


def purge_tokens(*, session: Session, now: datetime) -> int:
    """Delete tokens that expired (or were used) more than an hour ago."""
    result = session.execute(
        delete(LoginToken)
        .where(LoginToken.expires_at < now - _KEEP_USED)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
