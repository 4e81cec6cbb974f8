"""Free ports on 127.0.0.1 for services a test starts.

Chosen below the kernel's ephemeral range: a port the kernel hands out for port 0 may be handed
to any client socket (another test worker's, between this pick and the service's bind: seen
as "Address already in use" at a service's first start), one below that range only to whoever
asks for it by number.
"""

from __future__ import annotations

import random
import socket
from pathlib import Path

_LOWEST = 10_000


def _ephemeral_start() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32_768  # Linux's default


def free_ports(count: int, kind: int = socket.SOCK_DGRAM) -> list[int]:
    """`count` distinct ports free right now (UDP by default; socket.SOCK_STREAM for TCP),
    outside the ephemeral range."""
    pick = random.SystemRandom()
    candidates = range(_LOWEST, max(_LOWEST + 1000, _ephemeral_start()))
    chosen: list[int] = []
    while len(chosen) < count:
        port = pick.choice(candidates)
        if port in chosen:
            continue
        with socket.socket(socket.AF_INET, kind) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        chosen.append(port)
    return chosen
