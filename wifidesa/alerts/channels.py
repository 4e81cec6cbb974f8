"""An admin's channels: the ways to tell them of their routers (e-mail, Telegram, webhook).

An admin manages their own channels; province admins (and the operator at the command line)
anyone's. Another admin's channel is "not found" to everyone else, like another village's
objects. A webhook URL may carry a token: it is stored encrypted (SecretBox, as router
secrets) and shown, logged and audited only cut after its host.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import SplitResult, urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from wifidesa.admin import audit
from wifidesa.admin.scope import Scope, require_province
from wifidesa.crypto import SecretBox
from wifidesa.db.models import AdminUser, AlertChannel, ChannelKind
from wifidesa.errors import AlreadyExists, ErrorCode, InvalidInput, NotFound
from wifidesa.messages import Message

# Deliberately loose (RFC 5321 allows more than any regex should try), but one line: no
# whitespace, so no header can be smuggled into the To: of a message.
_EMAIL = re.compile(r"^[^@\s<>,;\"]{1,64}@[A-Za-z0-9.-]{1,252}\.[A-Za-z]{2,63}$")
# A numeric chat id (groups and channels are negative), or a public channel's @name.
_TELEGRAM = re.compile(r"^(-?[0-9]{1,20}|@[A-Za-z][A-Za-z0-9_]{4,31})$")
MAX_URL_LENGTH = 2000

NO_HOST = Message("it names no host")
USER_IN_URL = Message(
    "a user and password in the address are not supported; put the token in the path"
)
FRAGMENT = Message("a #fragment is never sent to the server")
TOO_LONG = Message("it is longer than 2000 characters")
BAD_PORT = Message("its port is not a number from 1 to 65535")
NOT_HTTP = Message("it must start with https://")


@dataclass(frozen=True)
class ChannelView:
    """A channel as it may be shown: the webhook's URL cut after its host."""

    id: int
    owner: str  # the admin's username
    kind: ChannelKind
    address: str
    enabled: bool
    created_at: datetime


@dataclass(frozen=True)
class Destination:
    """Where a sender delivers: the whole address (a webhook's URL decrypted). Never log it."""

    channel_id: int
    kind: ChannelKind
    address: str

    def __repr__(self) -> str:
        return f"Destination(channel_id={self.channel_id!r}, kind={self.kind.value!r})"


def check_email(text: str) -> str:
    address = text.strip()
    if len(address) > 254 or not _EMAIL.match(address):
        raise InvalidInput(ErrorCode.NOT_AN_EMAIL_ADDRESS, text=address[:80])
    local, domain = address.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


def check_telegram_chat(text: str) -> str:
    chat = text.strip()
    if not _TELEGRAM.match(chat):
        raise InvalidInput(ErrorCode.NOT_A_TELEGRAM_CHAT, text=chat[:40])
    return chat


def _may_be_plain_http(host: str) -> bool:
    """Plain http only where the request stays on this machine or a private network: a token
    in the URL must not cross the internet in clear. A host name could resolve anywhere."""
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_private


def check_webhook_url(text: str) -> str:
    """A webhook URL as given, checked: https, or http to a loopback or private address; no
    user part, no fragment. The errors never echo it: it may hold a token."""
    url = text.strip()
    if len(url) > MAX_URL_LENGTH:
        raise InvalidInput(ErrorCode.NOT_A_WEBHOOK_URL, reason=TOO_LONG)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise InvalidInput(ErrorCode.NOT_A_WEBHOOK_URL, reason=BAD_PORT) from None
    if parts.scheme not in ("http", "https"):
        raise InvalidInput(ErrorCode.NOT_A_WEBHOOK_URL, reason=NOT_HTTP)
    host = (parts.hostname or "").lower()
    if not host or any(c.isspace() for c in url):
        raise InvalidInput(ErrorCode.NOT_A_WEBHOOK_URL, reason=NO_HOST)
    if port == 0:
        raise InvalidInput(ErrorCode.NOT_A_WEBHOOK_URL, reason=BAD_PORT)
    if parts.username is not None or parts.password is not None:
        raise InvalidInput(ErrorCode.NOT_A_WEBHOOK_URL, reason=USER_IN_URL)
    if parts.fragment or url.endswith("#"):
        raise InvalidInput(ErrorCode.NOT_A_WEBHOOK_URL, reason=FRAGMENT)
    if parts.scheme == "http" and not _may_be_plain_http(host):
        raise InvalidInput(ErrorCode.WEBHOOK_NOT_HTTPS, host=host)
    return url


def shown_url(url: str) -> str:
    """A webhook URL as it may be shown: scheme, host and port; the path (where tokens go)
    as '…'."""
    parts: SplitResult = urlsplit(url)
    rest = "/…" if parts.path.strip("/") or parts.query else "/"
    return f"{parts.scheme}://{parts.netloc}{rest}"


def _owner(session: Session, scope: Scope, username: str | None) -> AdminUser:
    """The admin whose channels these are: oneself, or (province, operator) anyone named."""
    if username is None or (scope.admin_id is not None and username.lower() == scope.username):
        if scope.admin_id is None:
            raise InvalidInput(ErrorCode.CHANNELS_NEED_AN_ADMIN)
        admin = session.get(AdminUser, scope.admin_id)
    else:
        require_province(scope)
        admin = session.scalar(select(AdminUser).where(AdminUser.username == username.lower()))
    if admin is None:
        raise NotFound(ErrorCode.ADMIN_NAMED_NOT_FOUND, username=username or scope.username)
    return admin


def _view(channel: AlertChannel, owner: str) -> ChannelView:
    return ChannelView(
        channel.id, owner, channel.kind, channel.address, channel.enabled, channel.created_at
    )


def add_channel(
    *,
    session: Session,
    scope: Scope,
    box: SecretBox,
    kind: ChannelKind,
    address: str,
    owner: str | None = None,
    now: datetime,
) -> ChannelView:
    """Give an admin (oneself by default) a channel, checked; enabled."""
    admin = _owner(session, scope, owner)
    url_enc = None
    if kind is ChannelKind.EMAIL:
        shown = check_email(address)
    elif kind is ChannelKind.TELEGRAM:
        shown = check_telegram_chat(address)
    else:
        url = check_webhook_url(address)
        shown, url_enc = shown_url(url), box.encrypt(url)
    existing = session.scalars(
        select(AlertChannel).where(AlertChannel.admin_id == admin.id, AlertChannel.kind == kind)
    )
    for other in existing:
        same = (
            box.decrypt(other.url_enc) == address.strip()
            if other.url_enc is not None
            else other.address.lower() == shown.lower()
        )
        if same:
            raise AlreadyExists(ErrorCode.CHANNEL_EXISTS)
    channel = AlertChannel(
        admin_id=admin.id, kind=kind, address=shown, url_enc=url_enc, enabled=True, created_at=now
    )
    session.add(channel)
    session.flush()
    audit.record(
        session=session,
        action="alerts.channel_add",
        actor=scope,
        object_type="alert_channel",
        object_id=channel.id,
        owner=admin.username,
        kind=kind.value,
        address=shown,
    )
    return _view(channel, admin.username)


def list_channels(*, session: Session, scope: Scope, owner: str | None = None) -> list[ChannelView]:
    """An admin's channels (oneself by default; the operator without an owner: everyone's)."""
    query = select(AlertChannel, AdminUser.username).join(
        AdminUser, AdminUser.id == AlertChannel.admin_id
    )
    if owner is not None or scope.admin_id is not None:
        query = query.where(AlertChannel.admin_id == _owner(session, scope, owner).id)
    query = query.order_by(AdminUser.username, AlertChannel.id)
    return [_view(row.AlertChannel, row.username) for row in session.execute(query)]


def require_channel(*, session: Session, scope: Scope, channel_id: int) -> AlertChannel:
    """A channel of one's own (province admins and the operator: anyone's); NotFound else."""
    channel = session.get(AlertChannel, channel_id)
    if channel is None or not (scope.everything or channel.admin_id == scope.admin_id):
        raise NotFound(ErrorCode.CHANNEL_NOT_FOUND, channel_id=channel_id)
    return channel


def destination(channel: AlertChannel, box: SecretBox) -> Destination:
    """Where a sender delivers to this channel."""
    address = box.decrypt(channel.url_enc) if channel.url_enc is not None else channel.address
    return Destination(channel.id, channel.kind, address)


def set_enabled(*, session: Session, scope: Scope, channel_id: int, enabled: bool) -> None:
    """Stop (or resume) telling an admin through a channel; what it was sent stays listed."""
    channel = require_channel(session=session, scope=scope, channel_id=channel_id)
    channel.enabled = enabled
    audit.record(
        session=session,
        action="alerts.channel_enable" if enabled else "alerts.channel_disable",
        actor=scope,
        object_type="alert_channel",
        object_id=channel.id,
        kind=channel.kind.value,
        address=channel.address,
    )


def remove_channel(*, session: Session, scope: Scope, channel_id: int) -> None:
    """Forget a channel, and every notification queued or sent to it."""
    channel = require_channel(session=session, scope=scope, channel_id=channel_id)
    audit.record(
        session=session,
        action="alerts.channel_remove",
        actor=scope,
        object_type="alert_channel",
        object_id=channel.id,
        kind=channel.kind.value,
        address=channel.address,
    )
    session.delete(channel)
    session.flush()
