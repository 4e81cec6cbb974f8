"""One-time login tokens: the portal mints one after checking a resident's password or a free
access click-through; the router then sends it to RADIUS as the password, once, within a minute.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from wifidesa.db.models import LoginToken

TOKEN_TTL = timedelta(seconds=60)
_KEEP_USED = timedelta(hours=1)


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
    """A fresh random token (128 bits, URL-safe) for one login of this account."""
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
    return token


def purge_tokens(*, session: Session, now: datetime) -> int:
    """Delete tokens that expired (or were used) more than an hour ago."""
    result = session.execute(
        delete(LoginToken)
        .where(LoginToken.expires_at < now - _KEEP_USED)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
