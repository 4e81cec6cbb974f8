"""The simulated router's UDP sockets: `_Channel` sends a request, resends the same bytes on
timeout and matches replies by Identifier; `RawChannel` sends exact bytes and returns whatever
comes back. Both are bound to the router's address (`SimRouter.source_ip`).

`_Channel` also says how long the router waited: from its first send to the moment the kernel
received the valid reply (SO_TIMESTAMPNS, as the server stamps its requests: radius.latency).
A load generator on the server's own cores is late to read what arrived, now and then by tens
of milliseconds (`make soak`: its loop ran 21-26 ms late at p99); a router's waiting ends when
the reply reaches it, so that lateness is the generator's, not the server's.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import socket
import time
from collections.abc import Callable
from typing import Any, cast

from pyrad.packet import PacketError

from radius.latency import arrival, timestamp_arrivals
from radius.simulator.requests import PreparedRequest

logger = logging.getLogger(__name__)

_HEADER_LENGTH = 20
_ANCILLARY = socket.CMSG_SPACE(16)  # room for the kernel's receive time


def _check_reply(request: PreparedRequest, data: bytes, codes: tuple[int, ...]) -> Any | None:
    """The decoded reply if it answers `request` (RFC 2865 3: else silently discard)."""
    try:
        reply = request.packet.CreateReply(packet=data)
    except (PacketError, ValueError):
        return None
    if reply.code not in codes or not request.packet.VerifyReply(reply, data):
        return None
    return reply


class _Channel:
    """One socket from the router's address to one server port; replies found by Identifier.

    It reads every datagram waiting when the socket becomes readable, where asyncio's datagram
    transport reads one per turn of the loop: a load generator holding thousands of requests
    in flight then left replies waiting in the socket for tens of milliseconds (soak: the
    server answered accounting in 1.3 ms at p50, the generator measured 20-47 ms).
    """

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        timestamp_arrivals(sock)
        # Identifier -> the replies that came for it, with when the kernel received each.
        self._waiting: dict[int, asyncio.Queue[tuple[bytes, float]]] = {}
        self._slots = asyncio.Semaphore(256)  # Identifiers are one octet
        self._next_id = secrets.randbelow(256)
        self._loop = asyncio.get_running_loop()
        self._loop.add_reader(sock.fileno(), self._read_ready)

    @classmethod
    def open(
        cls, local: tuple[str, int], remote: tuple[str, int], *, receive_buffer: int
    ) -> _Channel:
        """A socket bound to `local`, connected to `remote` (OSError if `local` is not ours)."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            sock.setblocking(False)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
            sock.bind(local)
            sock.connect(remote)
        except OSError:
            sock.close()
            raise
        return cls(sock)

    def _read_ready(self) -> None:
        for _ in range(1024):
            try:
                data, ancdata, _, _ = self._sock.recvmsg(65535, _ANCILLARY)
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                # ICMP port unreachable: the server is not up (yet); like a router, retry
                # until the timeout.
                logger.debug("socket error: %s", exc)
                continue
            self.datagram_received(data, arrival(ancdata))

    def datagram_received(self, data: bytes, arrived: float) -> None:
        queue = self._waiting.get(data[1]) if len(data) >= _HEADER_LENGTH else None
        if queue is None:
            logger.debug("dropped %d bytes: no request waits", len(data))
            return
        queue.put_nowait((data, arrived))

    def sendto(self, data: bytes) -> None:
        try:
            self._sock.send(data)
        except (BlockingIOError, InterruptedError):
            pass  # a full send buffer loses the datagram, as on a router: it is resent
        except OSError as exc:
            logger.debug("socket error: %s", exc)

    def close(self) -> None:
        if self._sock.fileno() >= 0:
            self._loop.remove_reader(self._sock.fileno())
            self._sock.close()

    async def call(
        self,
        build: Callable[[int], PreparedRequest],
        codes: tuple[int, ...],
        *,
        timeout: float,
        retries: int,
    ) -> tuple[PreparedRequest, Any | None, int, int, float | None]:
        """Send, resend the same bytes on timeout; (request, reply or None, resends, invalid,
        seconds from the first send until the reply reached this socket, None without one)."""
        loop = asyncio.get_running_loop()
        async with self._slots:
            while self._next_id in self._waiting:
                self._next_id = (self._next_id + 1) % 256
            ident, self._next_id = self._next_id, (self._next_id + 1) % 256
            queue = self._waiting[ident] = asyncio.Queue()
            try:
                request = build(ident)
                invalid = 0
                first_sent = time.time()
                for attempt in range(retries + 1):
                    self.sendto(request.raw)
                    deadline = loop.time() + timeout
                    while (left := deadline - loop.time()) > 0:
                        try:
                            data, arrived = await asyncio.wait_for(queue.get(), left)
                        except TimeoutError:
                            break
                        reply = _check_reply(request, data, codes)
                        if reply is not None:
                            return request, reply, attempt, invalid, arrived - first_sent
                        invalid += 1
                return request, None, retries, invalid, None
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

    def drain(self) -> list[bytes]:
        """Whatever has arrived so far, without waiting."""
        found = []
        while not self._received.empty():
            found.append(self._received.get_nowait())
        return found

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()
