"""The routers as Ansible's inventory sees them (`ansible/routers.yml` provisions them), and
their secrets for the operator who runs it.

The inventory carries no secret: a router's RADIUS secret and API password come only through
`router_credentials`, which the playbook asks once per router (a `pipe` lookup with `no_log`),
on the central server that holds the database and the secret key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from wifidesa.admin import audit
from wifidesa.admin.scope import Scope, require_oversight, require_province, site_filter
from wifidesa.crypto import SecretBox
from wifidesa.db.models import Region, RegionLevel, Router, Site
from wifidesa.places.regions import parent_codes

ALL_ROUTERS = "routers"
_NOT_A_NAME = re.compile(r"[^A-Za-z0-9_]")


@dataclass(frozen=True)
class InventoryRouter:
    """A router Ansible can reach: where its API answers and what its configuration needs."""

    name: str
    identity: str  # RouterOS identity, sent as NAS-Identifier
    site_code: str
    site_name: str
    kabupaten_code: str
    kabupaten_name: str
    radius_source: str  # the source address of its RADIUS packets
    coa_port: int
    require_message_authenticator: bool
    hotspot_address: str | None
    api_host: str
    api_port: int
    api_tls: bool
    api_user: str


@dataclass(frozen=True)
class RouterCredentials:
    radius_secret: str = field(repr=False)
    api_password: str | None = field(repr=False)


def group_name(kind: str, code: str) -> str:
    """An Ansible group name (letters, digits, underscores): `site_64_03_01_2001`."""
    return f"{kind}_{_NOT_A_NAME.sub('_', code)}"


def inventory_routers(*, session: Session, scope: Scope) -> list[InventoryRouter]:
    """The active routers in the scope that have an API address and user, by name (the ones
    the poller polls); a router without them cannot be provisioned (`wifidesa routers api`)."""
    require_oversight(scope)
    desa = aliased(Region)
    rows = session.execute(
        select(Router, Site.code, Site.name, desa.code.label("desa_code"))
        .join(Site, Site.id == Router.site_id)
        .join(desa, desa.id == Site.region_id)
        .where(
            Router.is_active.is_(True),
            Router.api_host.is_not(None),
            Router.api_username.is_not(None),
            site_filter(scope, Router.site_id),
        )
        .order_by(Router.name)
    ).all()
    kabupaten_rows = session.execute(
        select(Region.code, Region.name).where(Region.level == RegionLevel.KABUPATEN)
    )
    kabupaten = {row.code: row.name for row in kabupaten_rows}
    found = []
    for row in rows:
        router = row.Router
        kabupaten_code = parent_codes(row.desa_code)[0]
        found.append(
            InventoryRouter(
                name=router.name,
                identity=router.nas_identifier,
                site_code=row.code,
                site_name=row.name,
                kabupaten_code=kabupaten_code,
                kabupaten_name=kabupaten.get(kabupaten_code, kabupaten_code),
                radius_source=router.ip_address,
                coa_port=router.coa_port,
                require_message_authenticator=router.require_message_authenticator,
                hotspot_address=router.hotspot_address,
                api_host=str(router.api_host),
                api_port=router.api_port,
                api_tls=router.api_use_ssl,
                api_user=str(router.api_username),
            )
        )
    return found


def host_vars(router: InventoryRouter) -> dict[str, Any]:
    """One router's variables, as the router roles read them."""
    return {
        "ansible_host": router.api_host,
        "wifidesa_identity": router.identity,
        "wifidesa_site_code": router.site_code,
        "wifidesa_site_name": router.site_name,
        "wifidesa_kabupaten_code": router.kabupaten_code,
        "wifidesa_kabupaten_name": router.kabupaten_name,
        "wifidesa_radius_source": router.radius_source,
        "wifidesa_coa_port": router.coa_port,
        "wifidesa_require_message_auth": router.require_message_authenticator,
        "wifidesa_hotspot_address": router.hotspot_address,
        "wifidesa_api_port": router.api_port,
        "wifidesa_api_tls": router.api_tls,
        "wifidesa_api_user": router.api_user,
    }


def ansible_inventory(routers: list[InventoryRouter], *, portal_url: str) -> dict[str, Any]:
    """Ansible's JSON inventory (`--list`): the group `routers`, one group per site and per
    kabupaten/kota, every host's variables under `_meta`, and the portal for all."""
    groups: dict[str, dict[str, Any]] = {ALL_ROUTERS: {"hosts": []}}
    for router in routers:
        groups[ALL_ROUTERS]["hosts"].append(router.name)
        site = groups.setdefault(group_name("site", router.site_code), {"hosts": []})
        site["hosts"].append(router.name)
        kabupaten = groups.setdefault(
            group_name("kabupaten", router.kabupaten_code),
            {"hosts": [], "vars": {"wifidesa_kabupaten_name": router.kabupaten_name}},
        )
        kabupaten["hosts"].append(router.name)
    return groups | {
        "all": {
            "children": sorted(groups),
            "vars": {"wifidesa_portal_url": portal_url.rstrip("/")},
        },
        "_meta": {"hostvars": {router.name: host_vars(router) for router in routers}},
    }


def router_credentials(
    *, session: Session, scope: Scope, box: SecretBox, router: Router
) -> RouterCredentials:
    """A router's RADIUS secret and API password in clear, for the province's provisioning
    (Ansible); audited without them."""
    require_province(scope)
    audit.record(
        session=session,
        action="routers.credentials",
        actor=scope,
        object_type="router",
        object_id=router.name,
        site_id=router.site_id,
    )
    return RouterCredentials(
        radius_secret=box.decrypt(router.secret_enc),
        api_password=box.decrypt(router.api_password_enc) if router.api_password_enc else None,
    )
