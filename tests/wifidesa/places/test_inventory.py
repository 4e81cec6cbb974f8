"""The routers as Ansible's inventory: groups by site and kabupaten, no secret; the secrets
only through the province's audited credentials."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from wdtest.factories import make_admin, make_router, make_site

from wifidesa.admin.scope import OPERATOR, Forbidden, scope_of
from wifidesa.crypto import SecretBox
from wifidesa.db.models import AdminRole, AuditEntry
from wifidesa.places.inventory import ansible_inventory, inventory_routers, router_credentials
from wifidesa.places.router_api import RouterApi, set_router_api
from wifidesa.places.routers import require_router_named

SECRET = "radius-secret-for-inventory-test"
API_PASSWORD = "api-password-for-inventory-test"


def _reachable(session: Session, box: SecretBox, **kwargs: object) -> str:
    router = make_router(session, box, secret=SECRET, **kwargs)  # type: ignore[arg-type]
    api = RouterApi(host="10.8.0.9", port=8728, use_tls=False, username="ansible",
                    password=API_PASSWORD)  # fmt: skip
    set_router_api(session=session, scope=OPERATOR, box=box, router_id=router.id, api=api)
    return router.name


def test_routers_are_grouped_by_site_and_kabupaten_without_secrets(
    sessions: sessionmaker[Session], box: SecretBox
) -> None:
    with sessions.begin() as session:
        kukar = make_site(session, code="64.03.01.2001", kabupaten="64.03")
        berau = make_site(session, code="berau-1", kabupaten="64.05")
        first = _reachable(session, box, site=kukar)
        second = _reachable(session, box, site=berau)
        make_router(session, box, site=berau)  # no API address: cannot be provisioned
        routers = inventory_routers(session=session, scope=OPERATOR)

    inventory = ansible_inventory(routers, portal_url="https://wifi.example.id/")

    assert inventory["routers"]["hosts"] == sorted([first, second])
    assert inventory["site_64_03_01_2001"]["hosts"] == [first]
    assert inventory["kabupaten_64_05"] == {
        "hosts": [second],
        "vars": {"wifidesa_kabupaten_name": "Kabupaten Berau"},
    }
    assert inventory["all"]["vars"] == {"wifidesa_portal_url": "https://wifi.example.id"}
    host = inventory["_meta"]["hostvars"][first]
    assert host["ansible_host"] == "10.8.0.9"
    assert (host["wifidesa_api_port"], host["wifidesa_api_tls"]) == (8728, False)
    assert host["wifidesa_site_code"] == "64.03.01.2001"
    text = json.dumps(inventory)
    assert SECRET not in text and API_PASSWORD not in text


def test_credentials_are_the_provinces_and_audited_without_the_values(
    sessions: sessionmaker[Session], box: SecretBox
) -> None:
    with sessions.begin() as session:
        site = make_site(session, kabupaten="64.03")
        name = _reachable(session, box, site=site)
        found = require_router_named(session=session, scope=OPERATOR, name=name)
        credentials = router_credentials(session=session, scope=OPERATOR, box=box, router=found)
        kabupaten_admin = make_admin(session=session, username="kukar", password="x" * 12,
                                     role=AdminRole.KABUPATEN, region_code="64.03")  # fmt: skip
        with pytest.raises(Forbidden):
            router_credentials(
                session=session, scope=scope_of(kabupaten_admin), box=box, router=found
            )
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "routers.credentials")
        ).all()

    assert (credentials.radius_secret, credentials.api_password) == (SECRET, API_PASSWORD)
    assert SECRET not in repr(credentials)
    assert [entry.object_id for entry in entries] == [name]
    assert all(SECRET not in json.dumps(entry.detail) for entry in entries)
