"""What the simulated router keeps per client session, and a request encoded for sending: shared
by the router (which builds requests) and its channels (which send them and check replies).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class SimSession:
    """One hotspot client session as the router keeps it."""

    username: str
    mac: str
    ip: str
    acct_session_id: str
    class_: bytes | None = None  # from the Access-Accept, echoed in accounting
    input_octets: int = 0  # from the client (upload)
    output_octets: int = 0
    session_time: int = 0


@dataclass(frozen=True)
class PreparedRequest:
    """Encoded request bytes with the pyrad packet that checks replies to them."""

    packet: Any
    raw: bytes
    session: SimSession | None = None

    @property
    def identifier(self) -> int:
        return self.raw[1]
