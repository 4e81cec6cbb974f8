"""The province's admins page and API: a new password shown once, sign-ins ended for good."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from wdtest.admin_world import World, session_token, sign_in

from portal.admin.web import SESSION_COOKIE
from wifidesa.db.models import AdminUser
from wifidesa.passwords import verify_password


def test_a_reset_password_is_shown_once_and_ends_the_admins_sign_ins(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    theirs = session_token(sessions, "kab_other")
    csrf = sign_in(web, sessions, "province")
    answer = web.post("/admin/admins/kab-other/password?lang=en", data={"csrf": csrf})
    assert answer.status_code == 200 and "shown only once" in answer.text
    shown = re.search(r'id="new-password">.*?<code>([^<]+)</code>', answer.text, re.S)
    assert shown
    with sessions() as session:
        admin = session.scalars(select(AdminUser).where(AdminUser.username == "kab-other")).one()
        assert verify_password(shown.group(1), admin.password_hash)
    assert shown.group(1) not in web.get("/admin/admins").text  # never again
    web.cookies.clear()
    web.cookies.set(SESSION_COOKIE, theirs)
    assert web.get("/admin/").status_code == 303  # their session ended: sign in again


def test_a_disabled_admins_token_stops_and_the_api_says_what_it_did(
    web: TestClient, world: World
) -> None:
    province = {"Authorization": f"Bearer {world.api_tokens['province']}"}
    theirs = {"Authorization": f"Bearer {world.api_tokens['kab_other']}"}
    assert web.get("/api/sites", headers=theirs).status_code == 200
    done = web.post("/api/admins/kab-other/disable", json={}, headers=province)
    assert done.status_code == 200 and done.json()["action"] == "disable"
    assert web.get("/api/sites", headers=theirs).status_code == 401
    listed = {a["username"]: a for a in web.get("/api/admins", headers=province).json()}
    assert listed["kab-other"]["is_active"] is False
    assert web.post("/api/admins/province/disable", json={}, headers=province).status_code == 422
