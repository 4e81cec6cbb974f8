"""Which routers the poller reaches, at their management address with their API user."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker
from wdtest.factories import make_router, make_site

from wifidesa.crypto import SecretBox
from wifidesa.fleet.targets import DEFAULT_WAN_INTERFACE, ApiTarget, api_targets


def test_routers_are_polled_at_their_management_address_not_their_radius_source(
    sessions: sessionmaker[Session], box: SecretBox
) -> None:
    with sessions.begin() as session:
        site = make_site(session)
        router = make_router(
            session,
            box,
            site=site,
            ip="100.64.7.9",  # RADIUS comes from behind CGNAT
            api_host="10.99.0.7",  # the API is reached over the VPN
            api_port=8729,
            api_username="wifidesa",
            api_password="s3cret-api",
        )
        other = make_router(session, box, site=site, api_host="10.99.0.9", api_username="wd")
        other.wan_interface = "sfp1"  # its uplink is a fibre port
        make_router(session, box, site=site)  # no API configured: not polled
        retired = make_router(session, box, site=site, api_host="10.99.0.8", api_username="wd")
        retired.is_active = False

    with sessions() as session:
        targets = api_targets(session=session, box=box)

    assert targets == [
        ApiTarget(
            router_id=router.id,
            host="10.99.0.7",
            port=8729,
            use_tls=True,
            username="wifidesa",
            password="s3cret-api",
            wan_interface=DEFAULT_WAN_INTERFACE,
        ),
        ApiTarget(
            router_id=other.id,
            host="10.99.0.9",
            port=8729,
            use_tls=True,
            username="wd",
            password="",
            wan_interface="sfp1",
        ),
    ]
    assert "s3cret-api" not in repr(targets)
