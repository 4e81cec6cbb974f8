"""A MikroTik hotspot router, simulated: it logs clients in over RADIUS, sends their accounting
and answers CoA/Disconnect requests, for tests, demos and load runs against our server.

Packets look like RouterOS's: the same attributes, Acct-Session-Ids like `81a00001`, and on a
timeout the *same* bytes sent again (same Identifier and authenticator), which is what the
server's retransmission cache must recognise. All traffic leaves from `SimRouter.source_ip`,
the address our server knows the router by.
"""

from __future__ import annotations

import asyncio
import hashlib
import ipaddress
import itertools
import logging
import secrets
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from pyrad.packet import AcctPacket, AuthPacket, PacketError

from radius.dictionary import AcctStatus, Code, load_dictionary
from radius.simulator_coa import CoAEvent, CoAListener, CoAMode, decode_attributes

logger = logging.getLogger(__name__)

Port = Literal["auth", "acct"]
SERVICE_TYPE_LOGIN_USER = 1  # what RouterOS's hotspot sends as Service-Type
_HEADER_LENGTH = 20
_WORD = 2**32  # Acct-*-Octets wrap here; the overflow goes into Acct-*-Gigawords


@dataclass(frozen=True)
class SimRouter:
    """The simulated router: where our server is, and who the router says it is."""

    secret: str
    source_ip: str = "127.0.0.1"  # bound, so the server knows the router by it
    server: str = "127.0.0.1"
    auth_port: int = 1812
    acct_port: int = 1813
    nas_identifier: str = "sim-router"
    called_station_id: str = "hotspot1"  # the hotspot server name
    message_authenticator: bool = True  # in Access-Requests (RouterOS 7.15+ does)
    timeout: float = 1.0
    retries: int = 3  # retransmissions after the first send


@dataclass
class SimSession:
    """One hotspot client session as the router keeps it."""

    username: str
    mac: str
    ip: str
    acct_session_id: str
    class_: bytes | None = None  # from the Access-Accept, echoed in accounting
    input_octets: int = 0  # from the client (upload)
    output_octets: int = 0
    session_time: int = 0


@dataclass(frozen=True)
class PreparedRequest:
    """Encoded request bytes with the pyrad packet that checks replies to them."""

    packet: Any
    raw: bytes
    session: SimSession | None = None

    @property
    def identifier(self) -> int:
        return self.raw[1]


@dataclass(frozen=True)
class LoginResult:
    accepted: bool
    code: int | None  # None when no valid reply came
    reply_message: str | None
    attributes: dict[str, list[object]]
    session: SimSession
    retransmissions: int = 0
    timed_out: bool = False
    has_message_authenticator: bool = False
    message_authenticator_first: bool = False
    invalid_replies: int = 0  # discarded: bad authenticator, wrong code, undecodable


@dataclass(frozen=True)
class AcctResult:
    acknowledged: bool  # a verified Accounting-Response arrived
    retransmissions: int = 0
    invalid_replies: int = 0


def _check_reply(request: PreparedRequest, data: bytes, codes: tuple[Code, ...]) -> Any | None:
    """The decoded reply if it answers `request` (RFC 2865 3: else silently discard)."""
    try:
        reply = request.packet.CreateReply(packet=data)
    except (PacketError, ValueError):
        return None
    if reply.code not in codes or not request.packet.VerifyReply(reply, data):
        return None
    return reply


class _Channel(asyncio.DatagramProtocol):
    """One socket from the router's address to one server port; replies found by Identifier."""

    def __init__(self) -> None:
        self._transport: asyncio.DatagramTransport | None = None
        self._waiting: dict[int, asyncio.Queue[bytes]] = {}
        self._slots = asyncio.Semaphore(256)  # Identifiers are one octet
        self._next_id = secrets.randbelow(256)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        queue = self._waiting.get(data[1]) if len(data) >= _HEADER_LENGTH else None
        if queue is None:
            logger.debug("[%s:%d] dropped %d bytes: no request waits", addr[0], addr[1], len(data))
            return
        queue.put_nowait(data)

    def error_received(self, exc: Exception) -> None:
        # ICMP port unreachable: the server is not up (yet); like a router, retry until timeout.
        logger.debug("socket error: %s", exc)

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()

    async def call(
        self,
        build: Callable[[int], PreparedRequest],
        codes: tuple[Code, ...],
        *,
        timeout: float,
        retries: int,
    ) -> tuple[PreparedRequest, Any | None, int, int]:
        """Send, resend the same bytes on timeout; (request, reply or None, resends, invalid)."""
        assert self._transport is not None
        loop = asyncio.get_running_loop()
        async with self._slots:
            while self._next_id in self._waiting:
                self._next_id = (self._next_id + 1) % 256
            ident, self._next_id = self._next_id, (self._next_id + 1) % 256
            queue = self._waiting[ident] = asyncio.Queue()
            try:
                request = build(ident)
                invalid = 0
                for attempt in range(retries + 1):
                    self._transport.sendto(request.raw)
                    deadline = loop.time() + timeout
                    while (left := deadline - loop.time()) > 0:
                        try:
                            data = await asyncio.wait_for(queue.get(), left)
                        except TimeoutError:
                            break
                        reply = _check_reply(request, data, codes)
                        if reply is not None:
                            return request, reply, attempt, invalid
                        invalid += 1
                return request, None, retries, invalid
            finally:
                del self._waiting[ident]


class RawChannel(asyncio.DatagramProtocol):
    """A socket of its own from the router's address: exact bytes out, whatever comes back."""

    def __init__(self) -> None:
        self._transport: asyncio.DatagramTransport | None = None
        self._received: asyncio.Queue[bytes] = asyncio.Queue()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self._received.put_nowait(data)

    def send(self, data: bytes) -> None:
        """Send once; no waiting, no retransmission."""
        assert self._transport is not None
        self._transport.sendto(data)

    async def receive(self, timeout: float) -> bytes | None:
        """The next datagram from the server, or None after `timeout` seconds."""
        try:
            return await asyncio.wait_for(self._received.get(), timeout)
        except TimeoutError:
            return None

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()


class RouterSimulator:
    """Plays one router: `async with RouterSimulator(SimRouter(...)) as router: ...`."""

    def __init__(self, config: SimRouter) -> None:
        self.config = config
        self.coa: CoAListener | None = None
        self._secret = config.secret.encode()
        self._channels: dict[Port, _Channel] = {}
        # RouterOS numbers sessions from a per-boot base: random here, so two runs against the
        # same server do not reuse each other's Acct-Session-Ids.
        self._session_numbers = itertools.count(secrets.randbits(32))

    async def __aenter__(self) -> RouterSimulator:
        await self.open()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.close()

    def _address(self, port: Port) -> tuple[str, int]:
        return (self.config.server, self.config.auth_port if port == "auth" else self.config.acct_port)

    async def open(self) -> None:
        loop = asyncio.get_running_loop()
        for port in ("auth", "acct"):
            _, self._channels[port] = await loop.create_datagram_endpoint(
                _Channel, local_addr=(self.config.source_ip, 0), remote_addr=self._address(port)
            )

    def close(self) -> None:
        for channel in self._channels.values():
            channel.close()
        self._channels.clear()
        if self.coa is not None:
            self.coa.close()

    def _channel(self, port: Port) -> _Channel:
        if port not in self._channels:
            raise RuntimeError("the simulator is not open; use 'async with RouterSimulator(...)'")
        return self._channels[port]

    def new_session(self, username: str, *, mac: str, ip: str) -> SimSession:
        number = next(self._session_numbers) % _WORD
        return SimSession(username=username, mac=mac, ip=ip, acct_session_id=f"{number:08x}")

    # -- authentication ---------------------------------------------------------------------

    def access_request(
        self,
        username: str,
        password: str,
        *,
        mac: str,
        ip: str,
        chap: bool = True,
        session: SimSession | None = None,
        identifier: int | None = None,
    ) -> PreparedRequest:
        """An Access-Request as RouterOS's hotspot sends it, encoded and ready to send."""
        session = session or self.new_session(username, mac=mac, ip=ip)
        ident = secrets.randbelow(256) if identifier is None else identifier
        pkt = AuthPacket(
            code=Code.ACCESS_REQUEST, id=ident, secret=self._secret, dict=load_dictionary()
        )
        if self.config.message_authenticator:
            pkt.add_message_authenticator()
        pkt["User-Name"] = username
        if chap:
            # RFC 1994 via RFC 2865 2.2: MD5(id || secret || challenge), challenge on its own
            chap_id = secrets.token_bytes(1)
            challenge = secrets.token_bytes(16)
            digest = hashlib.md5(chap_id + password.encode() + challenge).digest()  # noqa: S324
            pkt["CHAP-Password"] = chap_id + digest
            pkt["CHAP-Challenge"] = challenge
        else:
            pkt["User-Password"] = pkt.PwCrypt(password)
        pkt["Service-Type"] = SERVICE_TYPE_LOGIN_USER
        pkt["Calling-Station-Id"] = mac
        pkt["Called-Station-Id"] = self.config.called_station_id
        pkt["NAS-Identifier"] = self.config.nas_identifier
        pkt["NAS-IP-Address"] = self.config.source_ip
        pkt["NAS-Port-Type"] = "Wireless-802.11"
        pkt["Framed-IP-Address"] = ip
        pkt["Mikrotik-Host-IP"] = ip
        pkt["Acct-Session-Id"] = session.acct_session_id
        return PreparedRequest(packet=pkt, raw=bytes(pkt.RequestPacket()), session=session)

    def parse_login_reply(self, request: PreparedRequest, data: bytes) -> LoginResult | None:
        """What the router makes of `data` as a reply to `request`; None if it would discard it."""
        reply = _check_reply(request, data, (Code.ACCESS_ACCEPT, Code.ACCESS_REJECT))
        return None if reply is None else self._login_result(request, reply, 0, 0)

    async def login(
        self, username: str, password: str, *, mac: str, ip: str, chap: bool = True
    ) -> LoginResult:
        """Log a client in: Access-Request, retransmitted unchanged until a valid reply comes."""
        session = self.new_session(username, mac=mac, ip=ip)
        request, reply, resent, invalid = await self._channel("auth").call(
            lambda ident: self.access_request(
                username, password, mac=mac, ip=ip, chap=chap, session=session, identifier=ident
            ),
            (Code.ACCESS_ACCEPT, Code.ACCESS_REJECT, Code.ACCESS_CHALLENGE),
            timeout=self.config.timeout,
            retries=self.config.retries,
        )
        return self._login_result(request, reply, resent, invalid)

    @staticmethod
    def _login_result(
        request: PreparedRequest, reply: Any | None, resent: int, invalid: int
    ) -> LoginResult:
        assert request.session is not None
        if reply is None:
            return LoginResult(
                accepted=False,
                code=None,
                reply_message=None,
                attributes={},
                session=request.session,
                retransmissions=resent,
                timed_out=True,
                invalid_replies=invalid,
            )
        attributes = decode_attributes(reply)
        messages = [
            m.decode(errors="replace") if isinstance(m, bytes) else str(m)
            for m in attributes.get("Reply-Message", [])
        ]
        accepted = reply.code == Code.ACCESS_ACCEPT
        classes = [c for c in attributes.get("Class", []) if isinstance(c, bytes)]
        if accepted and classes:
            request.session.class_ = classes[0]
        raw = bytes(reply.raw_packet)
        return LoginResult(
            accepted=accepted,
            code=int(reply.code),
            reply_message="".join(messages) if messages else None,
            attributes=attributes,
            session=request.session,
            retransmissions=resent,
            has_message_authenticator=bool(reply.message_authenticator),
            message_authenticator_first=len(raw) > _HEADER_LENGTH and raw[20] == 80,
            invalid_replies=invalid,
        )
