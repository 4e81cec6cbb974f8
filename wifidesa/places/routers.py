"""Routers (NAS): register one with its own RADIUS secret, change its addresses, renew the
secret, its hotspot files.

One function per operation for the admin UI, the API and the CLI (with OPERATOR). A router's
RADIUS secret is returned once, when it is made or renewed; it is stored encrypted and never
shown, logged or written to the audit log afterwards.
"""

from __future__ import annotations

import io
import ipaddress
import re
import zipfile
from dataclasses import dataclass, field, fields, replace

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from wifidesa.admin import audit
from wifidesa.admin.scope import (
    Scope,
    require_oversight,
    require_province,
    require_site,
    site_filter,
)
from wifidesa.crypto import SecretBox, generate_secret
from wifidesa.db.models import Router, Site
from wifidesa.errors import AlreadyExists, ErrorCode, InvalidInput, NotFound
from wifidesa.places.hotspot_files import render_hotspot_files

MIN_SECRET_LENGTH = 16
_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


@dataclass(frozen=True)
class RouterSpec:
    """A router as a person describes it. The web and the API never set `secret` (always
    generated); the CLI may, for a router whose secret cannot be changed yet."""

    name: str
    ip_address: str
    hotspot_address: str
    hotspot_https: bool = False
    hotspot_port: int | None = None  # None: the scheme's own (80, 443)
    nas_identifier: str = ""  # defaults to the name
    secret: str = ""  # generated when empty
    require_message_authenticator: bool = True
    coa_port: int = 3799
    api_host: str | None = None
    api_port: int = 8729
    api_use_ssl: bool = True
    api_username: str | None = None
    api_password: str | None = None
    # Existing routers may carry a shorter secret; accepted only when asked for explicitly.
    allow_short_secret: bool = False


@dataclass(frozen=True)
class RouterChanges:
    """What may change on a registered router; None leaves a value as it is."""

    ip_address: str | None = None
    nas_identifier: str | None = None
    hotspot_address: str | None = None
    hotspot_https: bool | None = None
    hotspot_port: int | None = None  # 0: back to the scheme's own port
    coa_port: int | None = None
    require_message_authenticator: bool | None = None


def hotspot_url(router: Router, page: str = "login") -> str | None:
    """A page of the router's hotspot (login, logout) as villagers' browsers reach it, built
    only from what the router was registered with (None if it has no hotspot address).

    The portal's hand-off form posts here, never to an address a request named: a URL that
    Python's parser and a browser's read differently cannot then send a code elsewhere.
    """
    if not router.hotspot_address:
        return None
    host = router.hotspot_address
    if ":" in host:  # an IPv6 address (a DNS name holds no ':')
        host = f"[{host}]"
    port = f":{router.hotspot_port}" if router.hotspot_port else ""
    return f"{'https' if router.hotspot_https else 'http'}://{host}{port}/{page}"


def check_hotspot_address(text: str) -> str:
    """The router's hotspot address (its IP or DNS name, where villagers' browsers reach its
    login page), normalised; no scheme, port, path or user part."""
    host = text.strip().lower().rstrip(".")
    if not host:
        raise InvalidInput(ErrorCode.HOTSPOT_ADDRESS_MISSING)
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    labels = host.split(".")
    if len(host) > 253 or not all(_HOST_LABEL.match(label) for label in labels):
        raise InvalidInput(ErrorCode.BAD_HOTSPOT_ADDRESS, text=text.strip())
    return host


def _check_port(port: int, what: str) -> None:
    if not 1 <= port <= 65535:
        raise InvalidInput(ErrorCode.PORT_OUT_OF_RANGE, what=what, port=port)


def _check_ip(text: str) -> str:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        raise InvalidInput(ErrorCode.NOT_AN_IP_ADDRESS, text=text) from None


def _check_clash(
    session: Session, *, name: str, nas_identifier: str, ip: str, router_id: int | None = None
) -> None:
    query = select(Router).where(
        or_(Router.name == name, Router.nas_identifier == nas_identifier, Router.ip_address == ip)
    )
    if router_id is not None:
        query = query.where(Router.id != router_id)
    clash = session.scalar(query)
    if clash is not None:
        raise AlreadyExists(ErrorCode.ROUTER_CLASH, name=clash.name, ip=ip)


def create_router(
    *, session: Session, scope: Scope, box: SecretBox, site_id: int, spec: RouterSpec
) -> tuple[Router, str]:
    """Register a router for a village; returns it with its RADIUS secret (generated if none
    was given), to be shown once."""
    require_oversight(scope)
    site = require_site(session=session, scope=scope, site_id=site_id)
    name = spec.name.strip()
    if not name or len(name) > 64:
        raise InvalidInput(ErrorCode.ROUTER_NAME_LENGTH)
    ip = _check_ip(spec.ip_address)
    hotspot_address = check_hotspot_address(spec.hotspot_address)
    secret = spec.secret or generate_secret()
    if len(secret) < MIN_SECRET_LENGTH and not spec.allow_short_secret:
        raise InvalidInput(ErrorCode.SECRET_TOO_SHORT, minimum=MIN_SECRET_LENGTH)
    if not secret.strip():
        raise InvalidInput(ErrorCode.EMPTY_RADIUS_SECRET)
    _check_port(spec.coa_port, "CoA port")
    _check_port(spec.api_port, "API port")
    if spec.hotspot_port is not None:
        _check_port(spec.hotspot_port, "hotspot port")
    nas_identifier = spec.nas_identifier.strip() or name
    _check_clash(session, name=name, nas_identifier=nas_identifier, ip=ip)
    router = Router(
        site_id=site.id,
        name=name,
        nas_identifier=nas_identifier,
        ip_address=ip,
        secret_enc=box.encrypt(secret),
        require_message_authenticator=spec.require_message_authenticator,
        coa_port=spec.coa_port,
        hotspot_address=hotspot_address,
        hotspot_https=spec.hotspot_https,
        hotspot_port=spec.hotspot_port,
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
        actor=scope,
        object_type="router",
        object_id=router.name,
        site_id=site.id,
        ip=ip,
        hotspot_address=hotspot_address,
    )
    return router, secret


def _router_in_scope(
    session: Session, scope: Scope, which: ColumnElement[bool], missing: NotFound
) -> Router:
    require_oversight(scope)
    router = session.scalar(select(Router).where(which, site_filter(scope, Router.site_id)))
    if router is None:
        raise missing
    return router


def require_router(*, session: Session, scope: Scope, router_id: int) -> Router:
    """The router if its village is in the scope; NotFound otherwise."""
    missing = NotFound(ErrorCode.ROUTER_NOT_FOUND, router_id=router_id)
    return _router_in_scope(session, scope, Router.id == router_id, missing)


def require_router_named(*, session: Session, scope: Scope, name: str) -> Router:
    """The router of this name if its village is in the scope; NotFound otherwise (the CLI
    names routers)."""
    missing = NotFound(ErrorCode.ROUTER_NAME_NOT_FOUND, name=name)
    return _router_in_scope(session, scope, Router.name == name, missing)


def edit_router(
    *, session: Session, scope: Scope, router_id: int, changes: RouterChanges
) -> Router:
    """Change a router's addresses, identity, CoA port or Message-Authenticator rule. The
    RADIUS service picks the change up at its next router reload (within seconds)."""
    router = require_router(session=session, scope=scope, router_id=router_id)
    wanted = replace(
        changes,
        ip_address=None if changes.ip_address is None else _check_ip(changes.ip_address),
        hotspot_address=None
        if changes.hotspot_address is None
        else check_hotspot_address(changes.hotspot_address),
        nas_identifier=None if changes.nas_identifier is None else changes.nas_identifier.strip(),
    )
    if wanted.nas_identifier is not None and not 1 <= len(wanted.nas_identifier) <= 64:
        raise InvalidInput(ErrorCode.ROUTER_IDENTITY_LENGTH)
    if wanted.coa_port is not None:
        _check_port(wanted.coa_port, "CoA port")
    if wanted.hotspot_port:
        _check_port(wanted.hotspot_port, "hotspot port")
    given = {f.name: getattr(wanted, f.name) for f in fields(wanted)}
    if given["hotspot_port"] == 0:  # back to the scheme's own port
        given["hotspot_port"] = None
    elif given["hotspot_port"] is None:
        del given["hotspot_port"]
    changed = {
        key: value
        for key, value in given.items()
        if (value is not None or key == "hotspot_port") and value != getattr(router, key)
    }
    if not changed:
        return router
    _check_clash(
        session,
        name=router.name,
        nas_identifier=changed.get("nas_identifier", router.nas_identifier),
        ip=changed.get("ip_address", router.ip_address),
        router_id=router.id,
    )
    for key, value in changed.items():
        setattr(router, key, value)
    audit.record(
        session=session,
        action="routers.edit",
        actor=scope,
        object_type="router",
        object_id=router.name,
        site_id=router.site_id,
        **changed,
    )
    return router


def new_secret(*, session: Session, scope: Scope, box: SecretBox, router_id: int) -> str:
    """Replace a router's RADIUS secret with a generated one; returned once, never stored
    in clear. The RADIUS service picks it up at its next router reload (within seconds)."""
    router = require_router(session=session, scope=scope, router_id=router_id)
    secret = generate_secret()
    router.secret_enc = box.encrypt(secret)
    audit.record(
        session=session,
        action="routers.secret",
        actor=scope,
        object_type="router",
        object_id=router.name,
        site_id=router.site_id,
    )
    return secret


def hotspot_files(
    *, session: Session, scope: Scope, router_id: int, portal_url: str
) -> dict[str, str]:
    """The router's hotspot html files (file name → content), pointing at our portal."""
    router = require_router(session=session, scope=scope, router_id=router_id)
    return render_hotspot_files(router_name=router.name, portal_url=portal_url)


def hotspot_zip(
    *, session: Session, scope: Scope, router_id: int, portal_url: str
) -> tuple[str, bytes]:
    """(file name, zip) of the router's hotspot html files, for its hotspot directory."""
    router = require_router(session=session, scope=scope, router_id=router_id)
    files = render_hotspot_files(router_name=router.name, portal_url=portal_url)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(f"hotspot/{name}", content)
    return f"hotspot-{router.name}.zip", buffer.getvalue()


def reencrypt_secrets(*, session: Session, scope: Scope, box: SecretBox) -> int:
    """Encrypt every router's RADIUS secret and RouterOS API password again with the current
    key (each read with any key of the ring), for a key rotation; how many were rewritten. One
    that no key opens raises UNDECRYPTABLE_SECRET, and the caller's transaction writes none."""
    require_province(scope)
    count = 0
    for router in session.scalars(select(Router).order_by(Router.id)):
        router.secret_enc = box.reencrypt(router.secret_enc)
        count += 1
        if router.api_password_enc:
            router.api_password_enc = box.reencrypt(router.api_password_enc)
            count += 1
    audit.record(session=session, action="keys.reencrypt", actor=scope, count=count)
    return count


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
    zone: str  # its site's time zone: the local day its logins count on


def nas_clients(*, session: Session, box: SecretBox) -> list[NasClient]:
    """Every active router with its decrypted secret (kept in memory only, never logged)."""
    routers = session.execute(
        select(Router, Site.timezone)
        .join(Site, Site.id == Router.site_id)
        .where(Router.is_active.is_(True))
    )
    return [
        NasClient(
            router_id=r.id,
            site_id=r.site_id,
            name=r.name,
            ip_address=r.ip_address,
            secret=router_secret(r, box).encode(),
            require_message_authenticator=r.require_message_authenticator,
            coa_port=r.coa_port,
            zone=zone,
        )
        for r, zone in routers
    ]
