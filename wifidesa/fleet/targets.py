"""Which routers the poller reaches over the RouterOS API, and how (their management address,
which often differs from the source of their RADIUS packets: a VPN address behind CGNAT)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from wifidesa.crypto import SecretBox
from wifidesa.db.models import Router

DEFAULT_WAN_INTERFACE = "ether1"  # the WAN port of MikroTik's default home/AP configuration


@dataclass(frozen=True)
class ApiTarget:
    """One router's API: enough to connect and poll, nothing else of the router."""

    router_id: int
    host: str
    port: int
    use_tls: bool
    username: str
    password: str = field(repr=False)
    wan_interface: str = DEFAULT_WAN_INTERFACE
    # With TLS: the CA file the router's certificate is checked against; None encrypts but
    # verifies nothing (RouterOS makes a self-signed certificate of its own).
    tls_ca_file: str | None = None


def api_targets(
    *, session: Session, box: SecretBox, tls_ca_file: str | None = None
) -> list[ApiTarget]:
    """Every active router with a management address and an API user, by id. Routers without
    them are not polled: the fleet page shows them as not configured, never as down.
    `tls_ca_file` (a setting) is the fleet's CA for the routers' API certificates."""
    rows = session.scalars(
        select(Router)
        .where(
            Router.is_active.is_(True),
            Router.api_host.is_not(None),
            Router.api_username.is_not(None),
        )
        .order_by(Router.id)
    )
    return [
        ApiTarget(
            router_id=r.id,
            host=r.api_host or "",
            port=r.api_port,
            use_tls=r.api_use_ssl,
            username=r.api_username or "",
            password=box.decrypt(r.api_password_enc) if r.api_password_enc else "",
            wan_interface=r.wan_interface or DEFAULT_WAN_INTERFACE,
            tls_ca_file=tls_ca_file,
        )
        for r in rows
    ]
