"""One poll of one router, as the poller (controllers/) hands it to the core."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


class Failure(enum.StrEnum):
    """Why a poll got no answer (the words the fleet page and the log show)."""

    TIMEOUT = "timeout"  # connected or not, nothing came back in time
    REFUSED = "refused"  # the API port refused the connection (service off, firewall)
    UNREACHABLE = "unreachable"  # no route, host down, connect timed out
    LOGIN = "login"  # the router answered and refused our API user
    TLS = "tls"  # the TLS handshake to 8729 failed
    DROPPED = "dropped"  # the connection closed in the middle of a reply
    PROTOCOL = "protocol"  # the router said something we cannot read (!fatal, bad words)
    NO_ADDRESS = "no_address"  # no management address or API user configured


@dataclass(frozen=True)
class Sample:
    """What one poll found. `failure` is None when the router answered; then the fields it
    reported are set (each may still be None if this RouterOS version lacks it)."""

    router_id: int
    at: datetime  # UTC, when the poll started
    failure: Failure | None = None
    rtt_ms: float | None = None  # the API round trip of one short command
    identity: str | None = None
    version: str | None = None  # RouterOS version, e.g. "7.16.2 (stable)"
    board: str | None = None
    uptime_seconds: int | None = None
    cpu_load: int | None = None  # percent
    free_memory: int | None = None  # bytes
    total_memory: int | None = None  # bytes
    hotspot_active: int | None = None
    wan_rx_bytes: int | None = None  # the WAN interface's counters since the router started
    wan_tx_bytes: int | None = None

    @property
    def reachable(self) -> bool:
        return self.failure is None
