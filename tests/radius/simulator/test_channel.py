"""The simulator's request channel reads every reply waiting in its socket in one turn of the
loop, and times a request to the reply's arrival in the kernel: a load generator with thousands
of requests in flight must not measure its own backlog."""

from __future__ import annotations

import asyncio
import socket
import time

from wdtest.stamps import stamped_pair

from radius.dictionary import AcctStatus, Code
from radius.simulator.channel import _Channel
from radius.simulator.requests import PreparedRequest
from radius.simulator.router import RouterSimulator, SimRouter


def test_every_waiting_reply_is_read_in_one_turn_of_the_loop() -> None:
    async def scenario() -> int:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as server:
            server.bind(("127.0.0.1", 0))
            channel = _Channel.open(("127.0.0.1", 0), server.getsockname(), receive_buffer=1 << 20)
            try:
                queues = {ident: asyncio.Queue[tuple[bytes, float]]() for ident in range(50)}
                channel._waiting.update(queues)
                channel.sendto(b"hello")
                _, router = server.recvfrom(64)
                for ident in queues:
                    server.sendto(bytes([2, ident]) + bytes(18), router)
                time.sleep(0.05)  # all 50 wait in the channel's socket; the loop has not run
                await asyncio.sleep(0)  # a turn to wake up in, a turn in which the reader runs
                await asyncio.sleep(0)
                return sum(not queue.empty() for queue in queues.values())
            finally:
                channel.close()

    # asyncio's datagram transport reads one datagram per turn: 1 after the same two turns.
    assert asyncio.run(scenario()) == 50


def test_a_request_is_timed_until_its_reply_reached_the_socket_not_until_it_was_read() -> None:
    """The server answers at once; this process is busy for 300 ms before it reads the answer
    (a load generator's loop lag). The router waited ~0 ms for it, not 300."""

    async def scenario() -> tuple[float | None, float]:
        with stamped_pair() as (server, _):
            router = RouterSimulator(
                SimRouter(
                    secret="timing-secret",
                    acct_port=server.getsockname()[1],
                    timeout=5.0,
                    retries=0,
                )
            )
            await router.open()
            try:
                channel = router._channel("acct")
                built: list[PreparedRequest] = []

                def build(ident: int) -> PreparedRequest:
                    on = router.accounting_request(AcctStatus.ACCOUNTING_ON, identifier=ident)
                    built.append(on)
                    return built[-1]

                call = asyncio.ensure_future(
                    channel.call(build, (Code.ACCOUNTING_RESPONSE,), timeout=5.0, retries=0)
                )
                await asyncio.sleep(0)  # sent
                data, address = server.recvfrom(4096)
                reply = built[0].packet.CreateReply()
                server.sendto(reply.ReplyPacket(), address)
                started = time.monotonic()
                time.sleep(0.3)  # busy: the answer waits in the socket
                _, answer, _, _, waited = await call
                assert answer is not None and data == built[0].raw
                return waited, time.monotonic() - started
            finally:
                router.close()

    waited, read_after = asyncio.run(scenario())
    assert read_after >= 0.3
    assert waited is not None and waited < 0.1
