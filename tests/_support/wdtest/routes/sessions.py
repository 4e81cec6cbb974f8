"""Live sessions: the list (everyone signed in sees their own villages) and the disconnect."""

from __future__ import annotations

from wdtest.admin_world import REACH_A, SIGNED_IN
from wdtest.routes import Route

ROUTES = [
    Route("GET", "/admin/sessions", SIGNED_IN),
    Route("GET", "/admin/sessions?site={site_code_a}", REACH_A),
    # The first allowed actor queues it; the next ones are told it is on its way already.
    Route("POST", "/admin/sessions/{session_a}/disconnect", REACH_A),
    Route("GET", "/api/sessions", SIGNED_IN),
    Route("GET", "/api/sessions?site_id={site_a}", REACH_A),
    Route("POST", "/api/sessions/{session_a}/disconnect", REACH_A, json={}),
]
