"""The audit log: everyone signed in reads their own share; a village filter needs its reach."""

from __future__ import annotations

from wdtest.admin_world import REACH_A, SIGNED_IN
from wdtest.routes import Route
from wdtest.routes.checks import shows, shows_own

# Building the world added a resident in every village: its entry names the username.
ROUTES = [
    Route("GET", "/admin/audit", SIGNED_IN, check=shows_own("username")),
    Route("GET", "/admin/audit?site={site_code_a}", REACH_A, check=shows("{username_a}")),
    Route("GET", "/api/audit", SIGNED_IN, check=shows_own("username")),
    Route("GET", "/api/audit?site_id={site_a}", REACH_A, check=shows("{username_a}")),
]
