"""An accounting record as the RADIUS edge hands it to the core: one Start, Interim-Update,
Stop, Accounting-On or Accounting-Off, with the router's cumulative counters, and the bounds
its values must keep to be stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

# The sessions table keeps the session time in a 32-bit column. Octets are 64-bit columns, but
# a router may claim up to 2^64 (Acct-*-Gigawords 0xFFFFFFFF), and usage adds sessions up per
# day: 2^50 (1 PiB) is far beyond any session on a village link, and thousands of such sums
# still fit.
MAX_SESSION_TIME = (1 << 31) - 1
MAX_OCTETS = 1 << 50
MAX_TEXT = 64  # Acct-Session-Id and User-Name as stored


class AcctEvent(StrEnum):
    START = "start"
    INTERIM = "interim"
    STOP = "stop"
    ROUTER_ON = "router-on"  # Accounting-On: the router (re)started
    ROUTER_OFF = "router-off"  # Accounting-Off: the router is going down


@dataclass(frozen=True)
class AcctRecord:
    event: AcctEvent
    router_id: int
    site_id: int
    event_time: datetime  # when it happened: arrival minus Acct-Delay-Time
    acct_session_id: str = ""
    username: str = ""
    account_id: int | None = None  # from the Class we gave at login, if echoed
    throttled: bool = False  # the Class says: accepted at the throttle rate
    mac: str | None = None
    framed_ip: str | None = None
    session_time: int = 0
    input_octets: int = 0  # from the client (upload), gigawords included
    output_octets: int = 0
    terminate_cause: str | None = None
    # What the edge had to bound or replace to make the record storable, for the log.
    problems: tuple[str, ...] = ()
