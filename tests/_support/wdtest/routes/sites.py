"""Villages and routers: province and kabupaten admins only; kabupaten admins their own."""

from __future__ import annotations

from wdtest.admin_world import KAB_OTHER, KAB_OWN, OVERSEERS_A, PROVINCE
from wdtest.routes import Route

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

ROUTES = [
    Route("GET", "/admin/sites", OVERSEERS),
    Route("GET", "/admin/sites/new", OVERSEERS),
    Route("POST", "/admin/sites/new", OVERSEERS_A, form=NEW_SITE),
    Route("GET", "/admin/sites/{site_a}", OVERSEERS_A),
    Route("POST", "/admin/sites/{site_a}/options", OVERSEERS_A, form=OPTIONS),
    Route("POST", "/admin/sites/{site_a}/routers", OVERSEERS_A, form=NEW_ROUTER),
    Route("GET", "/admin/routers/{router_a}/hotspot.zip", OVERSEERS_A),
    Route("POST", "/admin/routers/{router_a}/secret", OVERSEERS_A),
    Route("GET", "/admin/routers/{router_a}", OVERSEERS_A),
    Route("POST", "/admin/routers/{router_a}", OVERSEERS_A, form=ROUTER_EDIT),
    Route("GET", "/api/sites", OVERSEERS),
    Route("POST", "/api/sites", OVERSEERS_A, json=NEW_SITE),
    Route("GET", "/api/sites/{site_a}", OVERSEERS_A),
    Route(
        "PATCH",
        "/api/sites/{site_a}",
        OVERSEERS_A,
        json={"allow_voucher": True, "allow_member": True, "allow_free": False},
    ),
    Route("POST", "/api/sites/{site_a}/routers", OVERSEERS_A, json=NEW_ROUTER),
    Route("GET", "/api/routers/{router_a}", OVERSEERS_A),
    Route("PATCH", "/api/routers/{router_a}", OVERSEERS_A, json={"hotspot_address": "10.5.50.3"}),
    Route("POST", "/api/routers/{router_a}/secret", OVERSEERS_A, json={}),
    Route("GET", "/api/routers/{router_a}/hotspot.zip", OVERSEERS_A),
]
