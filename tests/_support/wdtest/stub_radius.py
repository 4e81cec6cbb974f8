"""A small stub RADIUS server for the router simulator's tests: real UDP on 127.0.0.1, real pyrad
packets, and a simulated router pointed at it.

The stub is deliberately small and apart from our server: it checks what a server must check
(PAP/CHAP, Message-Authenticator, accounting Request Authenticator), answers like a good server,
and can drop or forge replies to prove the simulator behaves like a router.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from pyrad.packet import AcctPacket, AuthPacket, CoAPacket, PacketError

from radius.dictionary import Code, load_dictionary
from radius.simulator.router import RouterSimulator, SimRouter

SECRET = "simulator-test-secret-0123"
ROUTER_IP = "127.0.0.7"
USER = "ABCD2345"
CLASS = b"\x01wifidesa-session-7"
REJECT_MESSAGE = "Kode voucher tidak dikenal"
T = TypeVar("T")


def run(scenario: Callable[[], Awaitable[T]]) -> T:
    """Run one async scenario, bounded so a hang fails instead of stalling the suite (the
    bound is generous: a busy machine may be slow to answer, never this slow)."""

    async def bounded() -> T:
        return await asyncio.wait_for(scenario(), 60)

    return asyncio.run(bounded())


class StubEndpoint(asyncio.DatagramProtocol):
    """One port of the stub RADIUS server; answers Access- and Accounting-Requests."""

    def __init__(self, server: StubServer) -> None:
        self.server = server
        self.received: list[bytes] = []
        self.requests: list[Any] = []
        self.sources: list[str] = []
        self.transport: asyncio.DatagramTransport | None = None

    @property
    def port(self) -> int:
        assert self.transport is not None
        return int(self.transport.get_extra_info("sockname")[1])

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.received.append(data)
        self.sources.append(addr[0])
        if self.server.drop > 0:
            self.server.drop -= 1
            return
        try:
            reply = self.server.answer(self, data, addr)
        except PacketError:
            return  # malformed: a server drops it
        if reply is not None and self.transport is not None:
            self.transport.sendto(reply, addr)


@dataclass
class StubServer:
    users: set[str] = field(default_factory=lambda: {USER})  # password = user name (voucher)
    drop: int = 0  # drop this many packets before answering
    sign_replies: bool = True  # Message-Authenticator in Access-Accept/Reject
    reply_secret: str = SECRET  # a different one forges replies
    disconnect_after_stop: tuple[str, int] | None = None  # send a Disconnect there per Stop
    bad_requests: int = 0
    coa_replies: list[bytes] = field(default_factory=list)
    auth: StubEndpoint = field(init=False)
    acct: StubEndpoint = field(init=False)

    def answer(self, endpoint: StubEndpoint, data: bytes, addr: tuple[str, int]) -> bytes | None:
        if data[0] == Code.ACCESS_REQUEST:
            return self._auth(endpoint, data)
        if data[0] == Code.ACCOUNTING_REQUEST:
            return self._acct(endpoint, data)
        if data[0] in (Code.DISCONNECT_ACK, Code.DISCONNECT_NAK):
            self.coa_replies.append(data)
        return None

    def _auth(self, endpoint: StubEndpoint, data: bytes) -> bytes | None:
        request = AuthPacket(packet=data, secret=SECRET.encode(), dict=load_dictionary())
        endpoint.requests.append(request)
        if request.message_authenticator and not request.verify_message_authenticator():
            self.bad_requests += 1
            return None
        user = request["User-Name"][0]
        if "CHAP-Password" in request:
            password_ok = request.VerifyChapPasswd(user)
        else:
            password_ok = request.PwDecrypt(request["User-Password"][0]) == user
        reply = request.CreateReply(message_authenticator=self.sign_replies)
        reply.secret = self.reply_secret.encode()
        if user in self.users and password_ok:
            reply["Session-Timeout"] = 3600
            reply["Acct-Interim-Interval"] = 300
            reply["Mikrotik-Rate-Limit"] = "2M/5M"
            reply["Class"] = CLASS
        else:
            reply.code = Code.ACCESS_REJECT
            reply["Reply-Message"] = REJECT_MESSAGE
        return bytes(reply.ReplyPacket())

    def _acct(self, endpoint: StubEndpoint, data: bytes) -> bytes | None:
        request = AcctPacket(packet=data, secret=SECRET.encode(), dict=load_dictionary())
        endpoint.requests.append(request)
        if not request.VerifyAcctRequest():
            self.bad_requests += 1
            return None
        if self.disconnect_after_stop and request["Acct-Status-Type"] == ["Stop"]:
            disconnect = coa_request(
                Code.DISCONNECT_REQUEST,
                SECRET,
                **{"User-Name": request["User-Name"][0]},
                **{"Acct-Session-Id": request["Acct-Session-Id"][0]},
            )
            assert endpoint.transport is not None
            endpoint.transport.sendto(disconnect.RequestPacket(), self.disconnect_after_stop)
        return bytes(request.CreateReply().ReplyPacket())


@contextlib.asynccontextmanager
async def stub_server(**options: Any) -> AsyncIterator[StubServer]:
    server = StubServer(**options)
    loop = asyncio.get_running_loop()
    transports = []
    for name in ("auth", "acct"):
        transport, endpoint = await loop.create_datagram_endpoint(
            lambda: StubEndpoint(server), local_addr=("127.0.0.1", 0)
        )
        transports.append(transport)
        setattr(server, name, endpoint)
    try:
        yield server
    finally:
        for transport in transports:
            transport.close()


@contextlib.asynccontextmanager
async def router_for(server: StubServer, **config: Any) -> AsyncIterator[RouterSimulator]:
    # A reply that is on its way arrives within the timeout even on a busy machine: tests that
    # want a request to go unanswered (or resent) set their own, short, timeout.
    options: dict[str, Any] = {"timeout": 10.0, "retries": 2, "nas_identifier": "desa-uji"}
    options.update(config)
    sim_router = SimRouter(
        secret=SECRET,
        source_ip=ROUTER_IP,
        auth_port=server.auth.port,
        acct_port=server.acct.port,
        **options,
    )
    async with RouterSimulator(sim_router) as router:
        yield router


def coa_request(code: Code, secret: str, *, with_ma: bool = False, **attributes: Any) -> Any:
    packet = CoAPacket(code=code, id=42, secret=secret.encode(), dict=load_dictionary())
    for name, value in attributes.items():
        packet[name] = value
    if with_ma:
        packet.add_message_authenticator()
    return packet
