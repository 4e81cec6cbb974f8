"""Sending CoA-Request and Disconnect-Request to a router (RFC 5176), with retries.

Used for quota enforcement and by admins ("disconnect this session"). RouterOS listens on its
`/radius incoming` port (3799 here). The session is named by User-Name, Acct-Session-Id and
Framed-IP-Address. Each request is retried with the same bytes; the outcome is ACK, NAK (with
the router's Error-Cause) or TIMEOUT, and nothing here blocks the event loop.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket

from pyrad import packet

from radius.dictionary import Code, load_dictionary
from wifidesa.db.models import CoAAction, CoAResult
from wifidesa.places.routers import NasClient
from wifidesa.usage.coa_requests import SessionAction

log = logging.getLogger(__name__)

_ACKS = {Code.DISCONNECT_ACK, Code.COA_ACK}
_NAKS = {Code.DISCONNECT_NAK, Code.COA_NAK}


def build_request(client: NasClient, action: SessionAction) -> packet.CoAPacket:
    code = Code.DISCONNECT_REQUEST if action.action is CoAAction.DISCONNECT else Code.COA_REQUEST
    pkt = packet.CoAPacket(
        code=int(code), id=os.urandom(1)[0], secret=client.secret, dict=load_dictionary()
    )
    pkt["User-Name"] = action.username
    pkt["Acct-Session-Id"] = action.acct_session_id
    if action.framed_ip:
        pkt["Framed-IP-Address"] = action.framed_ip
    if action.action is not CoAAction.DISCONNECT and action.rate_limit:
        pkt["Mikrotik-Rate-Limit"] = action.rate_limit
    pkt.add_message_authenticator()
    return pkt


class _Receiver(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.replies: asyncio.Queue[bytes] = asyncio.Queue()

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.replies.put_nowait(data)


async def send(
    client: NasClient, action: SessionAction, *, timeout: float = 1.0, retries: int = 2
) -> tuple[CoAResult, str | None]:
    """Send one request; (ACK | NAK | TIMEOUT, detail such as the router's Error-Cause)."""
    request = build_request(client, action)
    raw = request.RequestPacket()
    loop = asyncio.get_running_loop()
    family = socket.AF_INET6 if ":" in client.ip_address else socket.AF_INET
    transport, receiver = await loop.create_datagram_endpoint(
        _Receiver, remote_addr=(client.ip_address, client.coa_port), family=family
    )
    try:
        for attempt in range(retries + 1):
            transport.sendto(raw)
            deadline = loop.time() + timeout * (attempt + 1)
            while (left := deadline - loop.time()) > 0:
                try:
                    data = await asyncio.wait_for(receiver.replies.get(), left)
                except TimeoutError:
                    break
                outcome = _judge(request, data)
                if outcome is not None:
                    return outcome
        return CoAResult.TIMEOUT, f"no answer after {retries + 1} tries"
    finally:
        transport.close()


def _judge(request: packet.CoAPacket, data: bytes) -> tuple[CoAResult, str | None] | None:
    try:
        reply = packet.CoAPacket(packet=data, secret=request.secret, dict=request.dict)
    except packet.PacketError:
        return None
    if not request.VerifyReply(reply, data):
        log.warning("CoA reply with a bad authenticator ignored (code %s)", data[:1].hex())
        return None
    if reply.code in _ACKS:
        return CoAResult.ACK, None
    if reply.code in _NAKS:
        causes = reply.get("Error-Cause") or ["no Error-Cause"]
        return CoAResult.NAK, str(causes[0])
    return None
