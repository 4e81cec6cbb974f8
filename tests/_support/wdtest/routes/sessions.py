"""Live sessions: the list (everyone signed in sees their own villages) and the disconnect."""

from __future__ import annotations

from sqlalchemy.orm import Session

from wdtest.admin_world import REACH_A, SIGNED_IN
from wdtest.routes import Route
from wdtest.routes.checks import Call, holds, shows, shows_own
from wifidesa.db.models import AcctSession, CoAAction


def _disconnect_queued(session: Session, call: Call) -> bool:
    live = session.get(AcctSession, call.id("session_a"))
    return live is not None and live.coa_action is CoAAction.DISCONNECT


# The first allowed actor queues it; the next ones are told it is on its way already.
QUEUED = "village A's session has a Disconnect-Request on its way"

ROUTES = [
    Route("GET", "/admin/sessions", SIGNED_IN, check=shows_own("username")),
    Route("GET", "/admin/sessions?site={site_code_a}", REACH_A, check=shows("{username_a}")),
    Route(
        "POST",
        "/admin/sessions/{session_a}/disconnect",
        REACH_A,
        check=holds(QUEUED, _disconnect_queued, status=(303,)),
    ),
    Route("GET", "/api/sessions", SIGNED_IN, check=shows_own("username")),
    Route("GET", "/api/sessions?site_id={site_a}", REACH_A, check=shows("{username_a}")),
    Route(
        "POST",
        "/api/sessions/{session_a}/disconnect",
        REACH_A,
        json={},
        check=holds(QUEUED, _disconnect_queued, status=(200, 202, 409)),
    ),
]
