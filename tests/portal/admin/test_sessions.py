"""Online now: the page and API list my villages' sessions; "Disconnect" reaches the router.

The end-to-end test runs the real RADIUS service and a CoA listener of the router simulator
on 127.0.0.1: the button queues the request, the service sends the Disconnect-Request, the
router acknowledges, and the page shows the answer.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker
from wdtest.admin_world import World, sign_in
from wdtest.radius import running_radius

from radius.simulator.coa import CoAKind, CoAListener
from wifidesa.crypto import SecretBox
from wifidesa.db.models import AcctSession, AuditEntry, CoAAction, CoAResult, Router
from wifidesa.settings import Settings

ROUTER_SECRET = "world-router-secret-0123456"


def _row(sessions: sessionmaker[Session], session_id: object) -> AcctSession:
    with sessions() as session:
        row = session.get(AcctSession, session_id)
        assert row is not None
        return row


def _bearer(world: World, actor: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.api_tokens[actor]}"}


def test_page_lists_my_villages_sessions_with_data_and_quota_left(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    sign_in(web, sessions, "desa_a")
    page = web.get("/admin/sessions?lang=en")
    assert page.status_code == 200
    assert "warga-a" in page.text and "warga-b" not in page.text and "warga-c" not in page.text
    assert "AA:BB:CC:00:00:00" in page.text
    assert "9.5 MB" in page.text  # 1 MB up + 9 MB down in this session
    assert "953.7 MB" in page.text  # 10^9 bytes a day, nothing counted yet today
    assert f'action="/admin/sessions/{world.ids["session_a"]}/disconnect"' in page.text
    kab = sign_in(web, sessions, "kab_own")
    assert kab
    both = web.get("/admin/sessions?lang=en").text
    assert "warga-a" in both and "warga-b" in both and "warga-c" not in both
    only_b = web.get("/admin/sessions?lang=en&site=desa-b").text
    assert "warga-b" in only_b and "warga-a" not in only_b


def test_page_is_in_indonesian_by_default(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    sign_in(web, sessions, "desa_a")
    page = web.get("/admin/sessions").text
    assert "Putuskan" in page and "Sisa kuota" in page


def test_disconnect_button_queues_the_request_and_the_row_says_so(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    session_id = world.ids["session_a"]
    csrf = sign_in(web, sessions, "desa_a")
    answer = web.post(f"/admin/sessions/{session_id}/disconnect", data={"csrf": csrf})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/admin/sessions?notice=queued"
    row = _row(sessions, session_id)
    assert (row.coa_action, row.coa_result) == (CoAAction.DISCONNECT, CoAResult.QUEUED)
    page = web.get("/admin/sessions?notice=queued&lang=en").text
    assert "Disconnect requested" in page
    assert "Disconnect: queued, the RADIUS service sends it within seconds" in page
    again = web.post(f"/admin/sessions/{session_id}/disconnect", data={"csrf": csrf})
    assert again.headers["location"] == "/admin/sessions?notice=busy"
    with sessions() as session:
        actions = session.scalars(
            select(AuditEntry.actor).where(AuditEntry.action == "sessions.disconnect")
        ).all()
    assert actions == ["desa-a"]


def test_disconnect_in_another_village_is_not_found(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    csrf = sign_in(web, sessions, "desa_b")
    answer = web.post(f"/admin/sessions/{world.ids['session_a']}/disconnect", data={"csrf": csrf})
    assert answer.status_code == 404
    assert _row(sessions, world.ids["session_a"]).coa_action is None


def test_api_lists_and_disconnects(web: TestClient, world: World) -> None:
    listed = web.get("/api/sessions", headers=_bearer(world, "desa_a"))
    assert listed.status_code == 200
    (row,) = listed.json()
    assert row["id"] == world.ids["session_a"] and row["account"] == "warga-a"
    assert row["account_kind"] == "member" and row["used_octets"] == 10_000_000
    assert row["has_quota"] and row["bytes_left"] == 10**9 and not row["over_quota"]
    assert row["coa_action"] is None
    path = f"/api/sessions/{world.ids['session_a']}/disconnect"
    assert web.post(path, headers=_bearer(world, "kab_other")).status_code == 404
    queued = web.post(path, headers=_bearer(world, "kab_own"))
    assert queued.status_code == 202 and queued.json() == {
        "session_id": world.ids["session_a"],
        "queued": True,
    }
    assert web.post(path, headers=_bearer(world, "kab_own")).status_code == 409
    (row,) = web.get("/api/sessions", headers=_bearer(world, "desa_a")).json()
    assert (row["coa_action"], row["coa_result"]) == ("disconnect", "queued")
    other = web.get(
        f"/api/sessions?site_id={world.ids['site_a']}", headers=_bearer(world, "desa_b")
    )
    assert other.status_code == 404


async def _until(check: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out waiting"
        await asyncio.sleep(0.05)


def test_disconnect_reaches_the_router_and_its_ack_is_shown(
    web: TestClient,
    world: World,
    sessions: sessionmaker[Session],
    settings: Settings,
    box: SecretBox,
) -> None:
    session_id = world.ids["session_a"]

    async def scenario() -> None:
        listener = await CoAListener.start(host="127.0.0.1", port=0, secret=ROUTER_SECRET.encode())
        try:
            # Village A's router lives on 127.0.0.1 with the simulator's CoA port.
            with sessions.begin() as session:
                session.execute(
                    update(Router)
                    .where(Router.id == world.ids["router_a"])
                    .values(
                        ip_address="127.0.0.1",
                        coa_port=listener.port,
                        secret_enc=box.encrypt(ROUTER_SECRET),
                    )
                )
            with running_radius(settings) as server:
                csrf = sign_in(web, sessions, "desa_a")
                answer = web.post(f"/admin/sessions/{session_id}/disconnect", data={"csrf": csrf})
                assert answer.status_code == 303
                # What the service does every few seconds, now.
                server.call(lambda: server.worker.enforcer.enforce(None))
                (event,) = await listener.wait_for(1, timeout=30)
                assert event.kind is CoAKind.DISCONNECT and event.valid_authenticator
                assert event.attributes["Acct-Session-Id"] == ["81a00001"]
                assert event.attributes["User-Name"] == ["warga-a"]
                await _until(lambda: _row(sessions, session_id).coa_result is CoAResult.ACK)
        finally:
            listener.close()

    asyncio.run(scenario())
    page = web.get("/admin/sessions?lang=en").text
    assert "Disconnect: the router confirmed" in page
