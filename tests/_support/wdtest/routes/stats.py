"""Statistics: every admin sees the top of their scope; a village's figures only within reach,
a kabupaten only for its own admin and the province."""

from __future__ import annotations

from wdtest.admin_world import KAB_OWN, PROVINCE, REACH_A, SIGNED_IN
from wdtest.routes import Route
from wdtest.routes.checks import shows, shows_own

ROUTES = [
    Route("GET", "/admin/stats", SIGNED_IN, check=shows_own("site_name")),
    Route(
        "GET",
        "/admin/stats?area=s:{site_code_a}&period=week",
        REACH_A,
        check=shows("{site_name_a}"),
    ),
    Route(
        "GET",
        "/admin/stats?area=r:64.03",
        frozenset({KAB_OWN, PROVINCE}),
        check=shows("{site_name_a}", "{site_name_b}"),
    ),
    Route("GET", "/api/stats", SIGNED_IN, check=shows_own("site_name")),
    Route("GET", "/api/stats?area=s:{site_code_a}", REACH_A, check=shows("{site_name_a}")),
]
