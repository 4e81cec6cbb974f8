"""A MikroTik hotspot router, simulated: it logs clients in over RADIUS, sends their accounting
and answers CoA/Disconnect requests, for tests, demos and load runs against our server.

Packets look like RouterOS's: the same attributes, Acct-Session-Ids like `81a00001`, and on a
timeout the *same* bytes sent again (same Identifier and authenticator), which is what the
server's retransmission cache must recognise. All traffic leaves from `SimRouter.source_ip`,
the address our server knows the router by.

The UDP sockets are in `radius.simulator.channel`; many clients at once (`run_clients`) are in
`radius.simulator.load`, CoA/Disconnect listening in `radius.simulator.coa`.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

from pyrad.packet import AccessChallenge, AcctPacket, AuthPacket

from radius.dictionary import AcctStatus, Code, load_dictionary
from radius.simulator.channel import _HEADER_LENGTH, RawChannel, _Channel, _check_reply
from radius.simulator.coa import CoAEvent, CoAListener, CoAMode, decode_attributes
from radius.simulator.requests import PreparedRequest, SimSession

Port = Literal["auth", "acct"]
SERVICE_TYPE_LOGIN_USER = 1  # what RouterOS's hotspot sends as Service-Type
_WORD = 2**32  # Acct-*-Octets wrap here; the overflow goes into Acct-*-Gigawords
_ACCESS_REPLIES = (Code.ACCESS_ACCEPT, Code.ACCESS_REJECT, AccessChallenge)


RECEIVE_BUFFER = 4 << 20  # bytes of replies a simulator socket holds


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


@dataclass(frozen=True)
class LoginResult:
    accepted: bool
    session: SimSession
    code: int | None = None  # None when no valid reply came
    reply_message: str | None = None
    attributes: dict[str, list[object]] = field(default_factory=dict)
    retransmissions: int = 0
    timed_out: bool = False
    has_message_authenticator: bool = False
    message_authenticator_first: bool = False
    invalid_replies: int = 0  # discarded: bad authenticator, wrong code, undecodable
    waited: float | None = None  # seconds from the first send until the reply reached us


@dataclass(frozen=True)
class AcctResult:
    acknowledged: bool  # a verified Accounting-Response arrived
    retransmissions: int = 0
    invalid_replies: int = 0
    waited: float | None = None  # seconds from the first send until the reply reached us


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
        return (
            self.config.server,
            self.config.auth_port if port == "auth" else self.config.acct_port,
        )

    async def open(self) -> None:
        """Open the auth and acct sockets, bound to the router's address (OSError if not local)."""
        try:
            for port in ("auth", "acct"):
                # One socket stands for many routers' clients: with the kernel's default
                # buffer, replies arriving while the load generator was busy were dropped
                # (RcvbufErrors), and counted as answered only after a resend, a second later.
                self._channels[port] = _Channel.open(
                    (self.config.source_ip, 0),
                    self._address(port),
                    receive_buffer=RECEIVE_BUFFER,
                )
        except OSError:
            self.close()
            raise

    def close(self) -> None:
        """Close every socket, the CoA listener's too."""
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
        """A session with the next Acct-Session-Id (8 hex digits, unique in this simulator)."""
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
            # RFC 2865 2.2 / RFC 1994: MD5(CHAP id || password || challenge); RouterOS sends
            # the challenge as CHAP-Challenge rather than in the Request Authenticator.
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
        reply = _check_reply(request, data, _ACCESS_REPLIES)
        return None if reply is None else self._login_result(request, reply, 0, 0)

    async def login(
        self, username: str, password: str, *, mac: str, ip: str, chap: bool = True
    ) -> LoginResult:
        """Log a client in: Access-Request, retransmitted unchanged until a valid reply comes."""
        session = self.new_session(username, mac=mac, ip=ip)
        request, reply, resent, invalid, waited = await self._channel("auth").call(
            lambda ident: self.access_request(
                username, password, mac=mac, ip=ip, chap=chap, session=session, identifier=ident
            ),
            _ACCESS_REPLIES,
            timeout=self.config.timeout,
            retries=self.config.retries,
        )
        return self._login_result(request, reply, resent, invalid, waited)

    @staticmethod
    def _login_result(
        request: PreparedRequest,
        reply: Any | None,
        resent: int,
        invalid: int,
        waited: float | None = None,
    ) -> LoginResult:
        assert request.session is not None
        if reply is None:
            return LoginResult(
                False,
                request.session,
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
            waited=waited,
        )

    # -- accounting -------------------------------------------------------------------------

    def accounting_request(
        self,
        status: AcctStatus,
        session: SimSession | None = None,
        *,
        cause: str = "User-Request",
        identifier: int | None = None,
    ) -> PreparedRequest:
        """An Accounting-Request; pyrad computes its Request Authenticator (RFC 2866 3)."""
        ident = secrets.randbelow(256) if identifier is None else identifier
        pkt = AcctPacket(
            code=Code.ACCOUNTING_REQUEST, id=ident, secret=self._secret, dict=load_dictionary()
        )
        pkt["Acct-Status-Type"] = int(status)
        pkt["NAS-Identifier"] = self.config.nas_identifier
        pkt["NAS-IP-Address"] = self.config.source_ip
        # Kept at 0 on retransmission: RFC 2866 wants it raised (a new packet), RouterOS resends
        # the same bytes, and the server's duplicate cache is what these runs exercise.
        pkt["Acct-Delay-Time"] = 0
        if session is None:  # Accounting-On/Off still need an Acct-Session-Id (RFC 2866 5.13)
            pkt["Acct-Session-Id"] = self.new_session("", mac="", ip="").acct_session_id
        else:
            pkt["Acct-Session-Id"] = session.acct_session_id
            pkt["User-Name"] = session.username
            pkt["Calling-Station-Id"] = session.mac
            pkt["Called-Station-Id"] = self.config.called_station_id
            pkt["Framed-IP-Address"] = session.ip
            pkt["NAS-Port-Type"] = "Wireless-802.11"
            if session.class_ is not None:
                pkt["Class"] = session.class_
            if status is not AcctStatus.START:
                pkt["Acct-Session-Time"] = session.session_time
                # RouterOS sends the Gigawords even when they are 0.
                pkt["Acct-Input-Octets"] = session.input_octets % _WORD
                pkt["Acct-Input-Gigawords"] = session.input_octets // _WORD
                pkt["Acct-Output-Octets"] = session.output_octets % _WORD
                pkt["Acct-Output-Gigawords"] = session.output_octets // _WORD
            if status is AcctStatus.STOP:
                pkt["Acct-Terminate-Cause"] = cause
        return PreparedRequest(packet=pkt, raw=bytes(pkt.RequestPacket()), session=session)

    async def _account(
        self, status: AcctStatus, session: SimSession | None, cause: str = "User-Request"
    ) -> AcctResult:
        _, reply, resent, invalid, waited = await self._channel("acct").call(
            lambda ident: self.accounting_request(status, session, cause=cause, identifier=ident),
            (Code.ACCOUNTING_RESPONSE,),
            timeout=self.config.timeout,
            retries=self.config.retries,
        )
        return AcctResult(
            reply is not None, retransmissions=resent, invalid_replies=invalid, waited=waited
        )

    async def start(self, session: SimSession) -> AcctResult:
        """Accounting Start, with the Class of the Access-Accept."""
        return await self._account(AcctStatus.START, session)

    async def interim(
        self, session: SimSession, *, input_octets: int, output_octets: int, session_time: int
    ) -> AcctResult:
        """Interim-Update with the session's totals so far (octets may pass 2^32)."""
        session.input_octets, session.output_octets = input_octets, output_octets
        session.session_time = session_time
        return await self._account(AcctStatus.INTERIM_UPDATE, session)

    async def stop(
        self,
        session: SimSession,
        *,
        input_octets: int,
        output_octets: int,
        session_time: int,
        cause: str = "User-Request",
    ) -> AcctResult:
        """Stop with the session's final totals and Acct-Terminate-Cause."""
        session.input_octets, session.output_octets = input_octets, output_octets
        session.session_time = session_time
        return await self._account(AcctStatus.STOP, session, cause)

    async def accounting_on(self) -> AcctResult:
        """What a router sends after booting: all its earlier sessions are over."""
        return await self._account(AcctStatus.ACCOUNTING_ON, None)

    async def accounting_off(self) -> AcctResult:
        """What a router sends when its RADIUS accounting is switched off or it shuts down."""
        return await self._account(AcctStatus.ACCOUNTING_OFF, None)

    # -- raw packets ------------------------------------------------------------------------

    @asynccontextmanager
    async def raw_channel(self, port: Port = "auth") -> AsyncIterator[RawChannel]:
        """A socket of its own for exact bytes: send a request, later resend it unchanged."""
        loop = asyncio.get_running_loop()
        _, channel = await loop.create_datagram_endpoint(
            RawChannel, local_addr=(self.config.source_ip, 0), remote_addr=self._address(port)
        )
        try:
            yield channel
        finally:
            channel.close()

    async def send_raw(
        self, data: bytes, *, port: Port = "auth", timeout: float | None = None
    ) -> bytes | None:
        """Send `data` once as it is; the first datagram back, or None after the timeout."""
        async with self.raw_channel(port) as channel:
            channel.send(data)
            return await channel.receive(self.config.timeout if timeout is None else timeout)

    # -- CoA / Disconnect (RFC 5176) --------------------------------------------------------

    async def start_coa_listener(
        self,
        port: int = 3799,
        *,
        mode: CoAMode = CoAMode.ACK,
        on_event: Callable[[CoAEvent], None] | None = None,
    ) -> CoAListener:
        """Listen on (source_ip, port) like `/radius incoming`; port 0 picks a free one."""
        if self.coa is not None:
            self.coa.close()
        self.coa = await CoAListener.start(
            host=self.config.source_ip, port=port, secret=self._secret, mode=mode, on_event=on_event
        )
        return self.coa

    @property
    def coa_events(self) -> list[CoAEvent]:
        """CoA/Disconnect requests received so far, oldest first."""
        return [] if self.coa is None else list(self.coa.events)

    async def wait_for_coa(self, count: int = 1, timeout: float = 1.0) -> list[CoAEvent]:
        """The CoA events so far, once there are `count` or `timeout` seconds passed."""
        if self.coa is None:
            raise RuntimeError("no CoA listener; call start_coa_listener first")
        return await self.coa.wait_for(count, timeout)
