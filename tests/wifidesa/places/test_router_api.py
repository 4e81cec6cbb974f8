"""How the poller reaches a router: province only, validated, the password encrypted and
audited without it."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from wdtest.factories import make_router, make_site

from wifidesa.admin.scope import OPERATOR, Forbidden, Scope
from wifidesa.crypto import SecretBox
from wifidesa.db.models import AdminRole, AuditEntry
from wifidesa.errors import InvalidInput
from wifidesa.fleet.targets import api_targets
from wifidesa.places.router_api import RouterApi, set_router_api


def test_the_province_points_the_poller_at_a_routers_vpn_address(
    session: Session, box: SecretBox
) -> None:
    router = make_router(session, box, ip="100.64.9.9")

    set_router_api(
        session=session,
        scope=OPERATOR,
        box=box,
        router_id=router.id,
        api=RouterApi(
            host="VPN-Desa1.Kaltim.Example.",
            port=8729,
            username="wifidesa",
            password="k3y-untuk-api",
            wan_interface="sfp1",
        ),
    )

    (target,) = api_targets(session=session, box=box)
    assert (target.host, target.port, target.use_tls) == ("vpn-desa1.kaltim.example", 8729, True)
    assert (target.username, target.password, target.wan_interface) == (
        "wifidesa",
        "k3y-untuk-api",
        "sfp1",
    )
    assert router.api_password_enc and "k3y-untuk-api" not in router.api_password_enc
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "routers.api")).one()
    assert "k3y-untuk-api" not in repr(entry.detail)
    assert entry.detail["changed"] == "api_host,api_username,wan_interface,api_password"

    set_router_api(
        session=session, scope=OPERATOR, box=box, router_id=router.id, api=RouterApi(host="")
    )
    assert api_targets(session=session, box=box) == []  # no address: not polled


@pytest.mark.parametrize(
    ("api", "message"),
    [
        (RouterApi(host="http://10.0.0.1/"), "not an API address"),
        (RouterApi(host="a..b"), "not an API address"),
        (RouterApi(port=0), "API port"),
        (RouterApi(wan_interface='ether1"; /system reset'), "not a RouterOS interface name"),
    ],
)
def test_bad_api_access_is_refused(
    session: Session, box: SecretBox, api: RouterApi, message: str
) -> None:
    router = make_router(session, box)
    with pytest.raises(InvalidInput, match=message):
        set_router_api(session=session, scope=OPERATOR, box=box, router_id=router.id, api=api)


def test_a_kabupaten_admin_cannot_change_how_routers_are_reached(
    session: Session, box: SecretBox
) -> None:
    site = make_site(session)
    router = make_router(session, box, site=site)
    kabupaten = Scope(
        admin_id=1, username="kab", role=AdminRole.KABUPATEN, region_id=site.region_id
    )
    with pytest.raises(Forbidden):
        set_router_api(
            session=session,
            scope=kabupaten,
            box=box,
            router_id=router.id,
            api=RouterApi(host="10.1.1.1"),
        )
