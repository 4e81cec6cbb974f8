"""The simulated router's RFC 5176 side: receive CoA/Disconnect requests, record, answer.

RouterOS listens for them on `/radius incoming` (port 3799 here). The listener checks each
request the way a router must (Request Authenticator, Message-Authenticator when present),
records it as a `CoAEvent` and answers ACK, NAK or nothing, as the test or demo asks.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, cast

from pyrad.packet import CoAPacket, PacketError

from radius.dictionary import Attr, Code, load_dictionary

logger = logging.getLogger(__name__)

# RFC 5176 section 3.5: the session named in the request is not on this NAS.
NAK_ERROR_CAUSE = "Session-Context-Not-Found"


class CoAKind(StrEnum):
    DISCONNECT = "disconnect"
    COA = "coa"


class CoAMode(StrEnum):
    """How the simulated router answers a valid request."""

    ACK = "ack"
    NAK = "nak"
    SILENT = "silent"


# request code -> (kind, ACK code, NAK code)
_REQUESTS = {
    Code.DISCONNECT_REQUEST: (CoAKind.DISCONNECT, Code.DISCONNECT_ACK, Code.DISCONNECT_NAK),
    Code.COA_REQUEST: (CoAKind.COA, Code.COA_ACK, Code.COA_NAK),
}


@dataclass(frozen=True)
class CoAEvent:
    """One CoA or Disconnect request as the router received it, and what it answered."""

    kind: CoAKind
    identifier: int
    attributes: dict[str, list[object]]
    valid_authenticator: bool  # Request Authenticator and, if present, Message-Authenticator
    has_message_authenticator: bool
    source: tuple[str, int]
    received_at: datetime
    answer: Code | None  # None: invalid (silently discarded, RFC 5176 3.3) or silent mode
    request: bytes
    reply: bytes | None

    def describe(self) -> str:
        """One line for people: kind, validity, who, and the answer."""
        shown = ("User-Name", "Acct-Session-Id", "Framed-IP-Address")
        extra = ("Mikrotik-Rate-Limit", "Session-Timeout")
        parts = [
            f"{name}={','.join(str(v) for v in self.attributes[name])}"
            for name in (*shown, *extra)
            if name in self.attributes
        ]
        answer = self.answer.name.lower().replace("_", "-") if self.answer else "no answer"
        validity = "valid" if self.valid_authenticator else "INVALID authenticator"
        when = self.received_at.astimezone().strftime("%H:%M:%S")
        return f"{when} {self.kind} from {self.source[0]} {validity} {' '.join(parts)} -> {answer}"


def decode_attributes(packet: Any) -> dict[str, list[object]]:
    """Attributes of a decoded pyrad packet by name (unknown ones by code), values decoded.

    Message-Authenticator is left out: callers report it on its own. A value that does not
    decode as its dictionary type (wrong length) is kept as raw bytes rather than lost.
    """
    attributes: dict[str, list[object]] = {}
    for key in packet.keys():  # noqa: SIM118 - pyrad's keys() names them, iteration does not
        if key == "Message-Authenticator" or key == Attr.MESSAGE_AUTHENTICATOR:
            continue
        name = key if isinstance(key, str) else str(key)
        try:
            values = list(packet[key])
        except ValueError:
            values = list(dict.__getitem__(packet, _raw_key(packet.dict, key)))
        attributes[name] = values
    return attributes


def _raw_key(dictionary: Any, name: str) -> int | tuple[int, int]:
    # How pyrad keys an attribute's undecoded values: its code, or (vendor id, code).
    attr = dictionary.attributes[name]
    if attr.vendor:
        return (int(dictionary.vendors.GetForward(attr.vendor)), int(attr.code))
    return int(attr.code)


class CoAListener(asyncio.DatagramProtocol):
    """UDP listener on the router's address; `events` grows as requests arrive."""

    def __init__(
        self,
        *,
        secret: bytes,
        mode: CoAMode = CoAMode.ACK,
        on_event: Callable[[CoAEvent], None] | None = None,
    ) -> None:
        self.secret = secret
        self.mode = mode
        self.on_event = on_event
        self.events: list[CoAEvent] = []
        self.malformed = 0
        self._arrived = asyncio.Event()
        self._transport: asyncio.DatagramTransport | None = None

    @classmethod
    async def start(
        cls,
        *,
        host: str,
        port: int,
        secret: bytes,
        mode: CoAMode = CoAMode.ACK,
        on_event: Callable[[CoAEvent], None] | None = None,
    ) -> CoAListener:
        """Bind (host, port); port 0 picks a free one, see `port`."""
        loop = asyncio.get_running_loop()
        _, listener = await loop.create_datagram_endpoint(
            lambda: cls(secret=secret, mode=mode, on_event=on_event), local_addr=(host, port)
        )
        return listener

    @property
    def port(self) -> int:
        if self._transport is None:
            raise RuntimeError("the CoA listener is not bound")
        return int(self._transport.get_extra_info("sockname")[1])

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.DatagramTransport, transport)

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()

    async def wait_for(self, count: int = 1, timeout: float = 1.0) -> list[CoAEvent]:
        """The events so far, once there are `count` of them or `timeout` seconds passed."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(self.events) < count and (left := deadline - loop.time()) > 0:
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), left)
            except TimeoutError:
                break
        return list(self.events)

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        try:
            request = CoAPacket(packet=data, secret=self.secret, dict=load_dictionary())
        except PacketError as exc:
            self.malformed += 1
            logger.info("[%s:%d] dropped a malformed CoA packet: %s", addr[0], addr[1], exc)
            return
        if request.code not in _REQUESTS:
            self.malformed += 1
            logger.info("[%s:%d] dropped a packet with code %s", addr[0], addr[1], request.code)
            return
        kind, ack, nak = _REQUESTS[Code(request.code)]
        has_ma = bool(request.message_authenticator)
        valid = bool(request.VerifyCoARequest()) and (
            not has_ma or bool(request.verify_message_authenticator())
        )
        answer: Code | None = None
        reply_bytes: bytes | None = None
        if not valid:
            logger.warning("[%s:%d] %s request with a bad authenticator", addr[0], addr[1], kind)
        elif self.mode is not CoAMode.SILENT:
            answer = ack if self.mode is CoAMode.ACK else nak
            reply_bytes = self._reply(request, answer, with_ma=has_ma)
            if self._transport is not None:
                self._transport.sendto(reply_bytes, addr)
        event = CoAEvent(
            kind=kind,
            identifier=request.id,
            attributes=decode_attributes(request),
            valid_authenticator=valid,
            has_message_authenticator=has_ma,
            source=(addr[0], addr[1]),
            received_at=datetime.now(UTC),
            answer=answer,
            request=data,
            reply=reply_bytes,
        )
        self.events.append(event)
        self._arrived.set()
        if self.on_event is not None:
            self.on_event(event)

    @staticmethod
    def _reply(request: Any, code: Code, *, with_ma: bool) -> bytes:
        # CreateReply keeps the request's authenticator, from which ReplyPacket computes the
        # Response Authenticator (RFC 5176 3.3) and the reply's Message-Authenticator.
        reply = request.CreateReply()
        reply.code = int(code)
        if code in (Code.DISCONNECT_NAK, Code.COA_NAK):
            reply["Error-Cause"] = NAK_ERROR_CAUSE
        if with_ma:
            reply.add_message_authenticator()
        return bytes(reply.ReplyPacket())
