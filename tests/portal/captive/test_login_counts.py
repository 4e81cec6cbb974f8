"""Logins the captive portal refuses itself count in the statistics as RADIUS's do: by
village, local day and reason, stored while the web service runs and when it stops."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from portal.app import create_app
from wifidesa.db.models import LoginCount, Site
from wifidesa.settings import Settings

from ..conftest import Village, form_fields, router_post


def _counts(sessions: sessionmaker[Session]) -> dict[tuple[str, str], int]:
    with sessions() as session:
        rows = session.execute(
            select(Site.code, LoginCount.outcome, LoginCount.count).join(
                Site, Site.id == LoginCount.site_id
            )
        )
        found: dict[tuple[str, str], int] = {}
        for code, outcome, count in rows:
            found[(code, outcome)] = found.get((code, outcome), 0) + count
        return found


def _try(web: TestClient, village: Village, action: str, **fields: str) -> int:
    page = web.post("/portal/login", data=router_post(village)).text
    return web.post(action, data=form_fields(page, action) | fields).status_code


def test_wrong_codes_and_passwords_typed_on_the_portal_count_as_refused_logins(
    settings: Settings, village: Village, sessions: sessionmaker[Session]
) -> None:
    with TestClient(create_app(settings)) as web:
        assert _try(web, village, "/portal/voucher", code="ZZZZZZZZZZ") == 400
        assert _try(web, village, "/portal/voucher", code="YYYYYYYYYY") == 400
        assert _try(web, village, "/portal/member", username="budi", password="salah") == 400
        assert _try(web, village, "/portal/free") == 400  # terms not ticked: no login tried
        assert _try(web, village, "/portal/voucher", code=village.codes[0]) == 200
        unknown = router_post(village, router="no-such-router")
        assert web.post("/portal/login", data=unknown).status_code == 400
    # Stored when the service stops; the accepted login is RADIUS's to count.
    assert _counts(sessions) == {("desa-p", "refused:bad_credentials"): 3}


def test_the_portals_counts_are_stored_while_it_runs(
    settings: Settings, village: Village, sessions: sessionmaker[Session]
) -> None:
    settings = settings.model_copy(update={"stats_login_flush_seconds": 0.2})
    with TestClient(create_app(settings)) as web:
        assert _try(web, village, "/portal/voucher", code="ZZZZZZZZZZ") == 400
        deadline = time.monotonic() + 30
        while not _counts(sessions) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _counts(sessions) == {("desa-p", "refused:bad_credentials"): 1}
