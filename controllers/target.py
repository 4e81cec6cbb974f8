"""Where one router's API is and how long to wait for it."""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_WAN_INTERFACE = "ether1"


@dataclass(frozen=True)
class RouterTarget:
    """One router's management address (where its API listens, often over a VPN: not the
    source of its RADIUS packets) and our API user. The password stays out of `repr`."""

    router_id: int
    host: str
    port: int
    use_tls: bool
    username: str
    password: str = field(repr=False)
    wan_interface: str | None = None  # None: the interface named "ether1"
    # With TLS: the CA file to verify the router's certificate against; None encrypts but
    # verifies nothing (RouterOS makes a self-signed certificate of its own).
    tls_ca_file: str | None = None

    @property
    def wan(self) -> str:
        return self.wan_interface or DEFAULT_WAN_INTERFACE


@dataclass(frozen=True)
class Timeouts:
    """Seconds, sized for satellite links (~0.7 s round trip, some loss and retransmits).

    `connect` bounds the TCP connect, the TLS handshake and each read of the login; `read`
    bounds each read of a command's answer (a silent router costs one `read`)."""

    connect: float = 10.0
    read: float = 10.0
