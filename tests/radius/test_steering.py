"""The kernel steers Access-Requests to the workers' sockets: a retransmission to the same one."""

from __future__ import annotations

import os
import select
import socket
import time
from collections.abc import Iterator

import pytest

from radius.service import open_socket
from radius.steering import steered_sockets
from wifidesa.errors import ConfigError


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _receivers(sockets: list[socket.socket], count: int) -> list[int]:
    """Which socket got each of the next `count` datagrams, waiting until they all arrived."""
    got: list[int] = []
    deadline = time.monotonic() + 30
    while len(got) < count:
        left = deadline - time.monotonic()
        assert left > 0, f"{len(got)} of {count} datagrams arrived"
        ready, _, _ = select.select(sockets, [], [], left)
        for sock in ready:
            while True:
                try:
                    sock.recv(4096)
                except BlockingIOError:
                    break
                got.append(sockets.index(sock))
    return got


@pytest.fixture
def steered() -> Iterator[list[socket.socket]]:
    sockets = steered_sockets(open_socket, "127.0.0.1", _free_port(), 2)
    if sockets is None:
        pytest.skip("this kernel cannot steer with SO_REUSEPORT")
    for sock in sockets:
        sock.setblocking(False)
    yield sockets
    for sock in sockets:
        sock.close()


def test_a_retransmission_reaches_the_same_socket_and_requests_spread(
    steered: list[socket.socket],
) -> None:
    port = steered[0].getsockname()[1]
    seen = set()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as router:
        for ident in range(40):
            request = bytes([1, ident, 0, 20]) + os.urandom(16)
            router.sendto(request, ("127.0.0.1", port))
            router.sendto(request, ("127.0.0.1", port))  # the retransmission
            first, again = _receivers(steered, 2)
            assert first == again
            seen.add(first)
    assert seen == {0, 1}


def test_a_port_in_use_is_refused_not_shared(steered: list[socket.socket]) -> None:
    with pytest.raises(ConfigError):
        steered_sockets(open_socket, "127.0.0.1", steered[0].getsockname()[1], 2)


def test_no_steering_without_a_fixed_port() -> None:
    assert steered_sockets(open_socket, "127.0.0.1", 0, 2) is None
