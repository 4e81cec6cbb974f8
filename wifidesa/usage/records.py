"""An accounting record as the RADIUS edge hands it to the core: one Start, Interim-Update,
Stop, Accounting-On or Accounting-Off, with the router's cumulative counters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


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
    mac: str | None = None
    framed_ip: str | None = None
    session_time: int = 0
    input_octets: int = 0  # from the client (upload), gigawords included
    output_octets: int = 0
    terminate_cause: str | None = None
