"""Villages and routers: province and kabupaten admins only; kabupaten admins their own."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from wdtest.admin_world import KAB_OTHER, KAB_OWN, OVERSEERS_A, PROVINCE
from wdtest.routes import Route
from wdtest.routes.checks import Call, audited, download, form, holds, shows, shows_own
from wifidesa.db.models import Router, Site

OVERSEERS = frozenset({KAB_OWN, KAB_OTHER, PROVINCE})
# A new village under Kutai Kartanegara (64.03): Kutai Barat's admin may not add it. The
# second allowed actor finds it exists already (400), which is an answer too.
NEW_SITE = {
    "desa_code": "64.03.09.3001",
    "desa_name": "Desa Matriks",
    "kecamatan_name": "Kecamatan Matriks",
}
NEW_ROUTER = {"name": "matrix-router", "ip_address": "10.99.0.1", "hotspot_address": "10.5.50.1"}
ROUTER_EDIT = {
    "ip_address": "10.99.0.2",
    "hotspot_address": "10.5.50.2",
    "nas_identifier": "matrix-identity",
    "coa_port": "3799",
}
OPTIONS = {"allow_voucher": "1", "allow_member": "1"}


def _site_added(session: Session, call: Call) -> bool:
    query = select(Site.name).where(Site.code == NEW_SITE["desa_code"])
    return session.scalar(query) == NEW_SITE["desa_name"]


def _router_added(session: Session, call: Call) -> bool:
    query = select(Router.site_id).where(Router.name == NEW_ROUTER["name"])
    return session.scalar(query) == call.id("site_a")


def _router_edited(session: Session, call: Call) -> bool:
    query = select(Router.hotspot_address).where(Router.id == call.id("router_a"))
    return session.scalar(query) == ROUTER_EDIT["hotspot_address"]


def _coa_port_changed(session: Session, call: Call) -> bool:
    return session.scalar(select(Router.coa_port).where(Router.id == call.id("router_a"))) == 3800


SITE_ADDED = f"village {NEW_SITE['desa_code']} exists"
ROUTER_EDITED = f"router A's hotspot address is {ROUTER_EDIT['hotspot_address']}"
ROUTER_ADDED = f"village A has router {NEW_ROUTER['name']}"
# RouterOS's hotspot folder: the login page posts to our portal.
HOTSPOT_ZIP = download("application/zip", starts=b"PK", member="hotspot/login.html")

ROUTES = [
    Route("GET", "/admin/sites", OVERSEERS, check=shows_own("site_name")),
    Route("GET", "/admin/sites/new", OVERSEERS, check=form("desa_code", "desa_name")),
    Route(
        "POST",
        "/admin/sites/new",
        OVERSEERS_A,
        form=NEW_SITE,
        check=holds(SITE_ADDED, _site_added, status=(303, 400)),
    ),
    Route(
        "GET", "/admin/sites/{site_a}", OVERSEERS_A, check=shows("{site_name_a}", "{router_name_a}")
    ),
    Route(
        "POST",
        "/admin/sites/{site_a}/options",
        OVERSEERS_A,
        form=OPTIONS,
        check=audited("sites.options"),
    ),
    Route(
        "POST",
        "/admin/sites/{site_a}/routers",
        OVERSEERS_A,
        form=NEW_ROUTER,
        check=holds(ROUTER_ADDED, _router_added, status=(200, 400)),
    ),
    Route("GET", "/admin/routers/{router_a}/hotspot.zip", OVERSEERS_A, check=HOTSPOT_ZIP),
    Route("POST", "/admin/routers/{router_a}/secret", OVERSEERS_A, check=audited("routers.secret")),
    Route("GET", "/api/sites", OVERSEERS, check=shows_own("site_name")),
    Route(
        "POST",
        "/api/sites",
        OVERSEERS_A,
        json=NEW_SITE,
        check=holds(SITE_ADDED, _site_added, status=(201, 409)),
    ),
    Route("GET", "/api/sites/{site_a}", OVERSEERS_A, check=shows("{site_name_a}")),
    Route("GET", "/admin/routers/{router_a}", OVERSEERS_A, check=shows("{router_name_a}")),
    Route(
        "POST",
        "/admin/routers/{router_a}",
        OVERSEERS_A,
        form=ROUTER_EDIT,
        check=holds(ROUTER_EDITED, _router_edited, status=(303,)),
    ),
    Route(
        "PATCH",
        "/api/sites/{site_a}",
        OVERSEERS_A,
        json={"allow_voucher": True, "allow_member": True, "allow_free": False},
        check=audited("sites.options"),
    ),
    Route(
        "POST",
        "/api/sites/{site_a}/routers",
        OVERSEERS_A,
        json=NEW_ROUTER,
        check=holds(ROUTER_ADDED, _router_added, status=(201, 409)),
    ),
    Route("GET", "/api/routers/{router_a}", OVERSEERS_A, check=shows("{router_name_a}")),
    Route(
        "PATCH",
        "/api/routers/{router_a}",
        OVERSEERS_A,
        json={"coa_port": 3800},
        check=holds("router A's CoA port is 3800", _coa_port_changed, status=(200,)),
    ),
    Route(
        "POST",
        "/api/routers/{router_a}/secret",
        OVERSEERS_A,
        json={},
        check=audited("routers.secret"),
    ),
    Route("GET", "/api/routers/{router_a}/hotspot.zip", OVERSEERS_A, check=HOTSPOT_ZIP),
]
