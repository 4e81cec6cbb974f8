"""Free ports on 127.0.0.1 for services a test starts."""

from __future__ import annotations

import socket


def free_ports(count: int, kind: int = socket.SOCK_DGRAM) -> list[int]:
    """`count` ports free right now (UDP by default; socket.SOCK_STREAM for TCP)."""
    socks = [socket.socket(socket.AF_INET, kind) for _ in range(count)]
    try:
        for sock in socks:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in socks]
    finally:
        for sock in socks:
            sock.close()
