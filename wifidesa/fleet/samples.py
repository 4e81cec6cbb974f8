"""One poll of one router, as the poller (controllers/) hands it to the core."""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, replace
from datetime import datetime

TEXT_LENGTH = 64  # identity, version and board columns
_INT32, _INT64 = (1 << 31) - 1, (1 << 63) - 1


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

    def bounded(self) -> Sample:
        """The sample as the database can hold it: text cut to its column, a figure out of its
        range (a router can report anything, and one bad value must not cost the fleet's round
        on PostgreSQL, which refuses it) left out."""

        def cut(value: str | None) -> str | None:
            return None if value is None else value[:TEXT_LENGTH]

        def within(value: int | None, top: int) -> int | None:
            return value if value is not None and 0 <= value <= top else None

        rtt = self.rtt_ms
        return replace(
            self,
            identity=cut(self.identity),
            version=cut(self.version),
            board=cut(self.board),
            rtt_ms=rtt if rtt is not None and math.isfinite(rtt) and 0 <= rtt < 1e9 else None,
            uptime_seconds=within(self.uptime_seconds, _INT64),
            cpu_load=within(self.cpu_load, 100),
            free_memory=within(self.free_memory, _INT64),
            total_memory=within(self.total_memory, _INT64),
            hotspot_active=within(self.hotspot_active, _INT32),
            wan_rx_bytes=within(self.wan_rx_bytes, _INT64),
            wan_tx_bytes=within(self.wan_tx_bytes, _INT64),
        )
