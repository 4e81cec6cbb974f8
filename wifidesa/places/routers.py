"""Routers (NAS): register one with its own RADIUS secret, list them, read their secrets."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from wifidesa.admin import audit
from wifidesa.crypto import SecretBox, generate_secret
from wifidesa.db.models import Router
from wifidesa.errors import AlreadyExists, InvalidInput, NotFound
from wifidesa.places.sites import get_site

MIN_SECRET_LENGTH = 16


@dataclass(frozen=True)
class RouterSpec:
    site_code: str
    name: str
    ip_address: str
    nas_identifier: str = ""  # defaults to the name
    secret: str = ""  # generated when empty
    require_message_authenticator: bool = True
    coa_port: int = 3799
    hotspot_address: str | None = None
    api_host: str | None = None
    api_port: int = 8729
    api_use_ssl: bool = True
    api_username: str | None = None
    api_password: str | None = None
    # Existing routers may carry a shorter secret; accepted only when asked for explicitly.
    allow_short_secret: bool = False


def _check_port(port: int, what: str) -> None:
    if not 1 <= port <= 65535:
        raise InvalidInput(f"{what} must be between 1 and 65535, not {port}")


def add_router(
    *, session: Session, box: SecretBox, spec: RouterSpec, actor: audit.Actor = audit.CLI_ACTOR
) -> tuple[Router, str]:
    """Register a router; returns it with its RADIUS secret (generated if none was given)."""
    site = get_site(session=session, code=spec.site_code)
    name = spec.name.strip()
    if not name or len(name) > 64:
        raise InvalidInput("router name must be 1 to 64 characters")
    try:
        ip = str(ipaddress.ip_address(spec.ip_address.strip()))
    except ValueError:
        raise InvalidInput(f"not an IP address: {spec.ip_address!r}") from None
    secret = spec.secret or generate_secret()
    if len(secret) < MIN_SECRET_LENGTH and not spec.allow_short_secret:
        raise InvalidInput(
            f"the RADIUS secret must have at least {MIN_SECRET_LENGTH} characters "
            "(--allow-short-secret for an existing router that cannot be changed yet)"
        )
    if not secret.strip():
        raise InvalidInput("the RADIUS secret cannot be empty")
    _check_port(spec.coa_port, "CoA port")
    _check_port(spec.api_port, "API port")
    nas_identifier = spec.nas_identifier.strip() or name
    clash = session.scalar(
        select(Router).where(
            or_(
                Router.name == name,
                Router.nas_identifier == nas_identifier,
                Router.ip_address == ip,
            )
        )
    )
    if clash is not None:
        raise AlreadyExists(
            f"router {clash.name!r} already has this name, identity or IP address ({ip})"
        )
    router = Router(
        site_id=site.id,
        name=name,
        nas_identifier=nas_identifier,
        ip_address=ip,
        secret_enc=box.encrypt(secret),
        require_message_authenticator=spec.require_message_authenticator,
        coa_port=spec.coa_port,
        hotspot_address=spec.hotspot_address,
        api_host=spec.api_host,
        api_port=spec.api_port,
        api_use_ssl=spec.api_use_ssl,
        api_username=spec.api_username,
        api_password_enc=box.encrypt(spec.api_password) if spec.api_password else None,
    )
    session.add(router)
    session.flush()
    audit.record(
        session=session,
        action="routers.add",
        actor=actor,
        object_type="router",
        object_id=router.name,
        site_id=site.id,
        ip=ip,
    )
    return router, secret


def get_router(*, session: Session, name: str) -> Router:
    router = session.scalar(select(Router).where(Router.name == name))
    if router is None:
        raise NotFound(f"no router named {name!r}")
    return router


def list_routers(*, session: Session, site_code: str | None = None) -> list[Router]:
    query = select(Router).order_by(Router.name)
    if site_code:
        query = query.where(Router.site_id == get_site(session=session, code=site_code).id)
    return list(session.scalars(query))


def router_secret(router: Router, box: SecretBox) -> str:
    return box.decrypt(router.secret_enc)


@dataclass(frozen=True)
class NasClient:
    """A router as the RADIUS server needs it: where it sends from and how it signs."""

    router_id: int
    site_id: int
    name: str
    ip_address: str
    secret: bytes = field(repr=False)
    require_message_authenticator: bool
    coa_port: int


def nas_clients(*, session: Session, box: SecretBox) -> list[NasClient]:
    """Every active router with its decrypted secret (kept in memory only, never logged)."""
    routers = session.scalars(select(Router).where(Router.is_active.is_(True)))
    return [
        NasClient(
            router_id=r.id,
            site_id=r.site_id,
            name=r.name,
            ip_address=r.ip_address,
            secret=router_secret(r, box).encode(),
            require_message_authenticator=r.require_message_authenticator,
            coa_port=r.coa_port,
        )
        for r in routers
    ]
