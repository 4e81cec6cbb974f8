"""Translate RADIUS packets to the core's requests and the core's decisions back to packets."""

from __future__ import annotations

import hashlib
import hmac
import socket
import struct
from datetime import datetime, timedelta
from functools import lru_cache

from radius import wire
from radius.dictionary import MIKROTIK_VENDOR, AcctStatus, Attr, Code
from wifidesa.access.logins import (
    LoginDecision,
    LoginRequest,
    account_from_class,
    throttled_in_class,
)
from wifidesa.i18n import gettext_for
from wifidesa.messages import Message
from wifidesa.places.routers import NasClient
from wifidesa.usage.records import (
    MAX_OCTETS,
    MAX_SESSION_TIME,
    MAX_TEXT,
    AcctEvent,
    AcctRecord,
)
from wifidesa.usernames import normalize_mac

REPLY_LANGUAGE = "id"
MAX_DELAY = timedelta(days=1)  # ignore absurd Acct-Delay-Time values
_EVENTS = {
    AcctStatus.START: AcctEvent.START,
    AcctStatus.INTERIM_UPDATE: AcctEvent.INTERIM,
    AcctStatus.STOP: AcctEvent.STOP,
    AcctStatus.ACCOUNTING_ON: AcctEvent.ROUTER_ON,
    AcctStatus.ACCOUNTING_OFF: AcctEvent.ROUTER_OFF,
}
_TERMINATE_CAUSES = {
    1: "User-Request",
    2: "Lost-Carrier",
    3: "Lost-Service",
    4: "Idle-Timeout",
    5: "Session-Timeout",
    6: "Admin-Reset",
    7: "Admin-Reboot",
    8: "Port-Error",
    9: "NAS-Error",
    10: "NAS-Request",
    11: "NAS-Reboot",
    12: "Port-Unneeded",
    13: "Port-Preempted",
    14: "Port-Suspended",
    15: "Service-Unavailable",
    16: "Callback",
    17: "User-Error",
    18: "Host-Request",
}


# Every request carries the client's MAC, and the same devices come back all day: normalising
# (regular expressions) showed in profiles, so recent answers are kept.
_mac = lru_cache(maxsize=65_536)(normalize_mac)


class BadPacket(Exception):
    """A packet to drop and log: malformed, or not signed with the router's secret."""


def _name(attr: Attr) -> str:
    return attr.name.replace("_", "-").title()  # ACCT_SESSION_ID: Acct-Session-Id


def _text(pkt: wire.Request, attr: Attr, problems: list[str] | None = None) -> str | None:
    """A text attribute, storable: invalid UTF-8 and NULs become U+FFFD (PostgreSQL refuses NUL
    in text, and one such value once failed a whole batch), trailing NULs (a C string's end,
    which some NAS send) are dropped. A replaced NUL is noted in `problems`."""
    raw = pkt.first(attr)
    if raw is None:
        return None
    if b"\x00" in raw:
        raw = raw.rstrip(b"\x00")
        if b"\x00" in raw:
            raw = raw.replace(b"\x00", b"\xff")  # decoded as U+FFFD below
            if problems is not None:
                problems.append(f"{_name(attr)} with a NUL inside, replaced")
    return raw.decode("utf-8", "replace")


def _integer(pkt: wire.Request, attr: Attr) -> int:
    raw = pkt.first(attr)
    if raw is None:
        return 0
    if len(raw) != 4:
        raise BadPacket(f"attribute {attr.name} is not a 32-bit integer")
    return int.from_bytes(raw)


def _ip(pkt: wire.Request, attr: Attr) -> str | None:
    raw = pkt.first(attr)
    # inet_ntoa: the same dotted quad as ipaddress.IPv4Address, at a tenth of the cost
    return socket.inet_ntoa(raw) if raw is not None and len(raw) == 4 else None


def decode(data: bytes, client: NasClient, code: Code) -> wire.Request:
    """Decode and authenticate a request from a known router, or raise BadPacket."""
    if len(data) < 20 or data[0] != code:
        raise BadPacket(f"unexpected packet code {data[0] if data else None}")
    try:
        pkt = wire.parse(data, client.secret)
    except wire.Malformed as exc:
        raise BadPacket(f"malformed: {exc}") from None
    if code is Code.ACCOUNTING_REQUEST:
        if not pkt.verify_request_authenticator():
            raise BadPacket("bad Request Authenticator (wrong secret?)")
        return pkt
    # BlastRADIUS (CVE-2024-3596): a Message-Authenticator, when present, must be right; a
    # router flagged for it must always send one.
    if pkt.has_message_authenticator:
        if not pkt.verify_message_authenticator():
            raise BadPacket("bad Message-Authenticator (wrong secret?)")
    elif client.require_message_authenticator:
        raise BadPacket("no Message-Authenticator, and this router must send one")
    return pkt


def login_request(pkt: wire.Request, client: NasClient) -> LoginRequest:
    username = _text(pkt, Attr.USER_NAME)
    if not username:
        raise BadPacket("no User-Name")
    if pkt.first(Attr.USER_PASSWORD) is not None:
        try:
            cleartext = pkt.user_password()
        except wire.Malformed as exc:
            raise BadPacket(str(exc)) from None

        def verify(secret: str) -> bool:
            return cleartext is not None and hmac.compare_digest(cleartext, secret.encode())
    elif pkt.first(Attr.CHAP_PASSWORD) is not None:

        def verify(secret: str) -> bool:
            return pkt.verify_chap(secret.encode())
    else:
        raise BadPacket("neither User-Password nor CHAP-Password")
    return LoginRequest(
        username=username,
        verify=verify,
        mac=_mac(_text(pkt, Attr.CALLING_STATION_ID)),
        site_id=client.site_id,
        router_id=client.router_id,
    )


def _bounded(value: int, limit: int, what: str, problems: list[str]) -> int:
    if value <= limit:
        return value
    problems.append(f"{what} {value} bounded to {limit}")
    return limit


def _octets(pkt: wire.Request, gigawords: Attr, octets: Attr, problems: list[str]) -> int:
    total = (_integer(pkt, gigawords) << 32) + _integer(pkt, octets)
    return _bounded(total, MAX_OCTETS, _name(octets), problems)


def acct_record(pkt: wire.Request, client: NasClient, now: datetime) -> AcctRecord:
    """The record of an Accounting-Request, with every value storable: a value out of the
    columns' range is bounded (and noted in `problems`) rather than failing the batch it
    arrives in; a router resends what is not answered, so a record that cannot be stored is
    lost once the router gives up."""
    status = _integer(pkt, Attr.ACCT_STATUS_TYPE)
    try:
        event = _EVENTS[AcctStatus(status)]
    except ValueError:
        raise BadPacket(f"unsupported Acct-Status-Type {status}") from None
    delay = min(timedelta(seconds=_integer(pkt, Attr.ACCT_DELAY_TIME)), MAX_DELAY)
    problems: list[str] = []
    session_id = _text(pkt, Attr.ACCT_SESSION_ID, problems) or ""
    if event not in (AcctEvent.ROUTER_ON, AcctEvent.ROUTER_OFF) and not session_id:
        raise BadPacket("no Acct-Session-Id")
    cause = _integer(pkt, Attr.ACCT_TERMINATE_CAUSE)
    session_time = _integer(pkt, Attr.ACCT_SESSION_TIME)
    return AcctRecord(
        event=event,
        router_id=client.router_id,
        site_id=client.site_id,
        event_time=now - delay,
        acct_session_id=session_id[:MAX_TEXT],
        username=(_text(pkt, Attr.USER_NAME, problems) or "")[:MAX_TEXT],
        account_id=account_from_class(pkt.first(Attr.CLASS)),
        throttled=throttled_in_class(pkt.first(Attr.CLASS)),
        mac=_mac(_text(pkt, Attr.CALLING_STATION_ID)),
        framed_ip=_ip(pkt, Attr.FRAMED_IP_ADDRESS),
        session_time=_bounded(session_time, MAX_SESSION_TIME, "Acct-Session-Time", problems),
        input_octets=_octets(pkt, Attr.ACCT_INPUT_GIGAWORDS, Attr.ACCT_INPUT_OCTETS, problems),
        output_octets=_octets(pkt, Attr.ACCT_OUTPUT_GIGAWORDS, Attr.ACCT_OUTPUT_OCTETS, problems),
        terminate_cause=_TERMINATE_CAUSES.get(cause) if cause else None,
        problems=tuple(problems),
    )


# Replies are encoded here rather than through pyrad's Packet: a login server sends thousands a
# second, and pyrad recomputes the Message-Authenticator whenever an attribute is set.
_MIKROTIK_RATE_LIMIT, _MIKROTIK_TOTAL_LIMIT, _MIKROTIK_TOTAL_GIGAWORDS = 8, 17, 18
_PROXY_STATE, _ZERO_MA = 33, bytes((Attr.MESSAGE_AUTHENTICATOR, 18)) + bytes(16)


def _attr(code: int, value: bytes) -> bytes:
    if len(value) > 253:
        value = value[:253]  # RFC 2865: at most 253 octets of value
    return bytes((code, len(value) + 2)) + value


def _vendor(vendor: int, code: int, value: bytes) -> bytes:
    inner = bytes((code, len(value) + 2)) + value
    return bytes((26, len(inner) + 6)) + struct.pack("!I", vendor) + inner


def _u32(value: int) -> bytes:
    return struct.pack("!I", value & 0xFFFFFFFF)


def _proxy_states(pkt: wire.Request) -> bytes:
    return b"".join(_attr(_PROXY_STATE, v) for v in pkt.get(_PROXY_STATE))


def sign_reply(
    code: int, pkt: wire.Request, attributes: bytes, *, message_authenticator: bool
) -> bytes:
    """A reply to `pkt`: Message-Authenticator first (RFC 3579 3.2, BlastRADIUS), then the
    Response Authenticator MD5(code, id, length, request authenticator, attributes, secret)."""
    request_auth, secret = pkt.authenticator, pkt.secret
    size = 20 + len(attributes) + (18 if message_authenticator else 0)
    header = struct.pack("!BBH", code, pkt.id, size)
    if message_authenticator:
        mac = hmac.new(secret, header + request_auth + _ZERO_MA + attributes, "md5").digest()
        attributes = bytes((Attr.MESSAGE_AUTHENTICATOR, 18)) + mac + attributes
    response_auth = hashlib.md5(header + request_auth + attributes + secret).digest()  # noqa: S324
    return header + response_auth + attributes


def reply_message(message: Message) -> str:
    """A refusal's words for the Reply-Message: always Bahasa Indonesia, because RouterOS
    shows it as-is on the villager's login page (the catalogue is parsed once per process)."""
    return message.render(gettext_for(REPLY_LANGUAGE))


def auth_reply(pkt: wire.Request, decision: LoginDecision) -> bytes:
    """Access-Accept with the limits, or Access-Reject with the reason in Reply-Message."""
    limits = decision.limits
    if not decision.accepted or limits is None:
        text = reply_message(decision.message) if decision.message is not None else ""
        body = _attr(Attr.REPLY_MESSAGE, text.encode()) + _proxy_states(pkt)
        return sign_reply(Code.ACCESS_REJECT, pkt, body, message_authenticator=True)
    parts = [
        _attr(Attr.CLASS, limits.class_),
        _attr(Attr.ACCT_INTERIM_INTERVAL, _u32(limits.interim_interval)),
    ]
    if limits.session_timeout:
        parts.append(_attr(Attr.SESSION_TIMEOUT, _u32(limits.session_timeout)))
    if limits.idle_timeout:
        parts.append(_attr(Attr.IDLE_TIMEOUT, _u32(limits.idle_timeout)))
    if limits.rate_limit:
        parts.append(_vendor(MIKROTIK_VENDOR, _MIKROTIK_RATE_LIMIT, limits.rate_limit.encode()))
    if limits.total_bytes is not None:
        # What is left of the data quota; the router cuts the session when it is used.
        parts.append(_vendor(MIKROTIK_VENDOR, _MIKROTIK_TOTAL_LIMIT, _u32(limits.total_bytes)))
        parts.append(
            _vendor(MIKROTIK_VENDOR, _MIKROTIK_TOTAL_GIGAWORDS, _u32(limits.total_bytes >> 32))
        )
    body = b"".join(parts) + _proxy_states(pkt)
    return sign_reply(Code.ACCESS_ACCEPT, pkt, body, message_authenticator=True)


def acct_reply(pkt: wire.Request) -> bytes:
    return sign_reply(
        Code.ACCOUNTING_RESPONSE, pkt, _proxy_states(pkt), message_authenticator=False
    )
