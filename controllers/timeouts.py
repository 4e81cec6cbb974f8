"""How long to wait for a router's API."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Timeouts:
    """Seconds, sized for satellite links (~0.7 s round trip, some loss and retransmits).

    `connect` bounds the TCP connect, the TLS handshake and each read of the login; `read`
    bounds each read of a command's answer (a silent router costs one `read`)."""

    connect: float = 10.0
    read: float = 10.0
