"""The simulator's request channel reads every reply waiting in its socket in one turn of the
loop: a load generator with thousands of requests in flight must not measure its own backlog."""

from __future__ import annotations

import asyncio
import socket
import time

from radius.simulator.channel import _Channel


def test_every_waiting_reply_is_read_in_one_turn_of_the_loop() -> None:
    async def scenario() -> int:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as server:
            server.bind(("127.0.0.1", 0))
            channel = _Channel.open(("127.0.0.1", 0), server.getsockname(), receive_buffer=1 << 20)
            try:
                queues = {ident: asyncio.Queue[bytes]() for ident in range(50)}
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
