"""Translate RADIUS packets to the core's requests and the core's decisions back to packets."""

from __future__ import annotations

import hmac
import ipaddress
import struct
from datetime import datetime, timedelta
from typing import Any

from pyrad import packet

from radius.dictionary import AcctStatus, Attr, Code, load_dictionary
from wifidesa.accounting import AcctEvent, AcctRecord
from wifidesa.logins import LoginDecision, LoginRequest, account_from_class
from wifidesa.routers import NasClient
from wifidesa.usernames import normalize_mac

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


class BadPacket(Exception):
    """A packet to drop and log: malformed, or not signed with the router's secret."""


def _first(pkt: packet.Packet, attr: Attr) -> bytes | None:
    values = pkt.get(int(attr))
    return values[0] if values else None


def _text(pkt: packet.Packet, attr: Attr) -> str | None:
    raw = _first(pkt, attr)
    return raw.decode("utf-8", "replace") if raw is not None else None


def _integer(pkt: packet.Packet, attr: Attr) -> int:
    raw = _first(pkt, attr)
    if raw is None:
        return 0
    if len(raw) != 4:
        raise BadPacket(f"attribute {attr.name} is not a 32-bit integer")
    return int(struct.unpack("!I", raw)[0])


def _ip(pkt: packet.Packet, attr: Attr) -> str | None:
    raw = _first(pkt, attr)
    return str(ipaddress.IPv4Address(raw)) if raw is not None and len(raw) == 4 else None


def decode(data: bytes, client: NasClient, code: Code) -> packet.Packet:
    """Decode and authenticate a request from a known router, or raise BadPacket."""
    if len(data) < 20 or data[0] != code:
        raise BadPacket(f"unexpected packet code {data[0] if data else None}")
    cls = packet.AuthPacket if code is Code.ACCESS_REQUEST else packet.AcctPacket
    try:
        pkt = cls(packet=data, dict=load_dictionary(), secret=client.secret)
    except packet.PacketError as exc:
        raise BadPacket(f"malformed: {exc}") from None
    if code is Code.ACCOUNTING_REQUEST:
        if not pkt.VerifyAcctRequest():
            raise BadPacket("bad Request Authenticator (wrong secret?)")
        return pkt
    # BlastRADIUS (CVE-2024-3596): a Message-Authenticator, when present, must be right; a
    # router flagged for it must always send one.
    if pkt.message_authenticator:
        if not pkt.verify_message_authenticator():
            raise BadPacket("bad Message-Authenticator (wrong secret?)")
    elif client.require_message_authenticator:
        raise BadPacket("no Message-Authenticator, and this router must send one")
    return pkt


def login_request(pkt: packet.AuthPacket, client: NasClient) -> LoginRequest:
    username = _text(pkt, Attr.USER_NAME)
    if not username:
        raise BadPacket("no User-Name")
    password = _first(pkt, Attr.USER_PASSWORD)
    if password is not None:
        try:
            cleartext = pkt.PwDecrypt(password)
        except (UnicodeDecodeError, ValueError):
            cleartext = None

        def verify(secret: str) -> bool:
            return cleartext is not None and hmac.compare_digest(
                cleartext.encode(), secret.encode()
            )
    elif _first(pkt, Attr.CHAP_PASSWORD) is not None:

        def verify(secret: str) -> bool:
            return bool(pkt.VerifyChapPasswd(secret.encode()))
    else:
        raise BadPacket("neither User-Password nor CHAP-Password")
    return LoginRequest(
        username=username,
        verify=verify,
        mac=normalize_mac(_text(pkt, Attr.CALLING_STATION_ID)),
        site_id=client.site_id,
    )


def acct_record(pkt: packet.AcctPacket, client: NasClient, now: datetime) -> AcctRecord:
    status = _integer(pkt, Attr.ACCT_STATUS_TYPE)
    try:
        event = _EVENTS[AcctStatus(status)]
    except ValueError:
        raise BadPacket(f"unsupported Acct-Status-Type {status}") from None
    delay = min(timedelta(seconds=_integer(pkt, Attr.ACCT_DELAY_TIME)), MAX_DELAY)
    session_id = _text(pkt, Attr.ACCT_SESSION_ID) or ""
    if event not in (AcctEvent.ROUTER_ON, AcctEvent.ROUTER_OFF) and not session_id:
        raise BadPacket("no Acct-Session-Id")
    cause = _integer(pkt, Attr.ACCT_TERMINATE_CAUSE)
    return AcctRecord(
        event=event,
        router_id=client.router_id,
        site_id=client.site_id,
        event_time=now - delay,
        acct_session_id=session_id[:64],
        username=_text(pkt, Attr.USER_NAME) or "",
        account_id=account_from_class(_first(pkt, Attr.CLASS)),
        mac=normalize_mac(_text(pkt, Attr.CALLING_STATION_ID)),
        framed_ip=_ip(pkt, Attr.FRAMED_IP_ADDRESS),
        session_time=_integer(pkt, Attr.ACCT_SESSION_TIME),
        input_octets=(_integer(pkt, Attr.ACCT_INPUT_GIGAWORDS) << 32)
        + _integer(pkt, Attr.ACCT_INPUT_OCTETS),
        output_octets=(_integer(pkt, Attr.ACCT_OUTPUT_GIGAWORDS) << 32)
        + _integer(pkt, Attr.ACCT_OUTPUT_OCTETS),
        terminate_cause=_TERMINATE_CAUSES.get(cause) if cause else None,
    )


def auth_reply(pkt: packet.AuthPacket, decision: LoginDecision) -> bytes:
    """Access-Accept with the limits, or Access-Reject with the reason; Message-Authenticator
    first in both (pyrad puts it there)."""
    reply = pkt.CreateReply()
    attrs: dict[str, Any] = {}
    if decision.accepted and decision.limits is not None:
        reply.code = packet.AccessAccept
        limits = decision.limits
        attrs["Class"] = limits.class_
        attrs["Acct-Interim-Interval"] = limits.interim_interval
        if limits.session_timeout:
            attrs["Session-Timeout"] = limits.session_timeout
        if limits.idle_timeout:
            attrs["Idle-Timeout"] = limits.idle_timeout
        if limits.rate_limit:
            attrs["Mikrotik-Rate-Limit"] = limits.rate_limit
        if limits.total_bytes is not None:
            # What is left of the data quota; the router cuts the session when it is used.
            attrs["Mikrotik-Total-Limit"] = limits.total_bytes & 0xFFFFFFFF
            attrs["Mikrotik-Total-Limit-Gigawords"] = limits.total_bytes >> 32
    else:
        reply.code = packet.AccessReject
        attrs["Reply-Message"] = decision.message
    for name, value in attrs.items():
        reply[name] = value
    return bytes(reply.ReplyPacket())


def acct_reply(pkt: packet.AcctPacket) -> bytes:
    return bytes(pkt.CreateReply().ReplyPacket())
