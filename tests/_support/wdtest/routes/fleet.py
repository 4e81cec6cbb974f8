"""The fleet: every admin lists the routers of their villages; a router's page only within
reach; the outage log for everyone, scoped."""

from __future__ import annotations

from wdtest.admin_world import REACH_A, SIGNED_IN
from wdtest.routes import Route
from wdtest.routes.checks import form, shows, shows_own

ROUTES = [
    Route("GET", "/admin/fleet", SIGNED_IN, check=shows_own("router_name")),
    Route(
        "GET",
        "/admin/fleet?state=not_configured&sort=state",
        SIGNED_IN,
        check=shows_own("router_name"),
    ),
    Route("GET", "/admin/fleet/routers/{router_a}", REACH_A, check=shows("{router_name_a}")),
    Route("GET", "/admin/fleet/outages", SIGNED_IN, check=form("area", "period", "on")),
    Route("GET", "/api/fleet", SIGNED_IN, check=shows_own("router_name")),
    Route("GET", "/api/fleet/routers/{router_a}", REACH_A, check=shows("{router_name_a}")),
    Route("GET", "/api/fleet/outages", SIGNED_IN, check=shows('"incidents"')),
]
