"""A router's management access over the RouterOS API: where the poller reaches it (often a
VPN address, because the village sits behind CGNAT: not the source of its RADIUS packets), our
API user and password (stored encrypted, never shown again), and its WAN interface."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from wifidesa.admin import audit
from wifidesa.admin.scope import Scope, require_province
from wifidesa.crypto import SecretBox
from wifidesa.db.models import Router
from wifidesa.errors import ErrorCode, InvalidInput
from wifidesa.places.routers import require_router

_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
# RouterOS interface names: letters, digits and a few separators (ether1, sfp-sfpplus1, lte1,
# "wan (vsat)"); no quotes or control characters, at most 64 like the column.
_INTERFACE = re.compile(r"^[\w][\w .\-/()]{0,63}$")


@dataclass(frozen=True)
class RouterApi:
    """What may change of a router's API access; None leaves a value as it is. An empty
    `host` removes the API access (the router is no longer polled)."""

    host: str | None = None
    port: int | None = None
    use_tls: bool | None = None
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    wan_interface: str | None = None  # "" back to the default (ether1)


def check_api_host(text: str) -> str:
    """An IP address or DNS name, normalised (no scheme, port or path)."""
    host = text.strip().lower().rstrip(".")
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    labels = host.split(".")
    if not host or len(host) > 253 or not all(_HOST_LABEL.match(label) for label in labels):
        raise InvalidInput(ErrorCode.BAD_API_HOST, text=text.strip()[:80])
    return host


def set_router_api(
    *, session: Session, scope: Scope, box: SecretBox, router_id: int, api: RouterApi
) -> Router:
    """Change how the poller reaches a router (province only: these are the keys to every
    village's router). Audited without the password; the poller picks it up next round."""
    require_province(scope)
    router = require_router(session=session, scope=scope, router_id=router_id)
    changed: list[str] = []

    def change(name: str, value: object) -> None:
        if getattr(router, name) != value:
            setattr(router, name, value)
            changed.append(name)

    if api.host is not None:
        change("api_host", check_api_host(api.host) if api.host.strip() else None)
    if api.port is not None:
        if not 1 <= api.port <= 65535:
            raise InvalidInput(ErrorCode.PORT_OUT_OF_RANGE, what="API port", port=api.port)
        change("api_port", api.port)
    if api.use_tls is not None:
        change("api_use_ssl", api.use_tls)
    if api.username is not None:
        change("api_username", api.username.strip()[:64] or None)
    if api.wan_interface is not None:
        name = api.wan_interface.strip()
        if name and not _INTERFACE.match(name):
            raise InvalidInput(ErrorCode.BAD_INTERFACE_NAME, text=name[:80])
        change("wan_interface", name or None)
    if api.password is not None:
        router.api_password_enc = box.encrypt(api.password) if api.password else None
        changed.append("api_password")
    if changed:
        audit.record(
            session=session,
            action="routers.api",
            actor=scope,
            object_type="router",
            object_id=router.name,
            site_id=router.site_id,
            changed=",".join(changed),
            api_host=router.api_host,
        )
    return router
