"""The audit log: everyone signed in reads their own share; a village filter needs its reach."""

from __future__ import annotations

from wdtest.admin_world import REACH_A, SIGNED_IN
from wdtest.routes import Route

ROUTES = [
    Route("GET", "/admin/audit", SIGNED_IN),
    Route("GET", "/admin/audit?site={site_code_a}", REACH_A),
    Route("GET", "/api/audit", SIGNED_IN),
    Route("GET", "/api/audit?site_id={site_a}", REACH_A),
]
