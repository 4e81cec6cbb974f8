"""Kernel receive stamps (SO_TIMESTAMPNS) in tests: wait until the kernel stamps on arrival."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from radius.latency import arrival, timestamp_arrivals

_ANCILLARY = socket.CMSG_SPACE(16)


def wait_until_the_kernel_stamps_arrivals(server: socket.socket, router: socket.socket) -> None:
    """The first socket to ask turns the kernel's receive stamps on in deferred work (Linux's
    net_enable_timestamp); until that work has run, a datagram is stamped when it is read.
    `server` asked for stamps (radius.latency.timestamp_arrivals); `router` sends to it."""
    deadline = time.monotonic() + 5.0
    while time.monotonic() < deadline:
        router.sendto(b"probe", server.getsockname())
        time.sleep(0.05)
        _, ancdata, _, _ = server.recvmsg(4096, _ANCILLARY)
        if time.time() - arrival(ancdata) >= 0.04:
            return
    pytest.fail("the kernel never stamped a datagram on arrival")


@contextmanager
def stamped_pair() -> Iterator[tuple[socket.socket, socket.socket]]:
    """(server, sender): UDP sockets on 127.0.0.1; the server's datagrams are stamped by the
    kernel on arrival from the start (the stamps stay on while it is open)."""
    with (
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as server,
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender,
    ):
        server.bind(("127.0.0.1", 0))
        assert timestamp_arrivals(server)
        wait_until_the_kernel_stamps_arrivals(server, sender)
        yield server, sender
