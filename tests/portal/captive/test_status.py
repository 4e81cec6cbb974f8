"""The villager's status page: only for the device online with that login at that router."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from wifidesa.db.engine import utcnow
from wifidesa.db.models import AcctSession, Router, SessionStatus, Voucher

from ..conftest import Village


def _online(sessions: sessionmaker[Session], code: str, mac: str) -> None:
    """An open session of the voucher's account on this device, as accounting Start leaves."""
    with sessions.begin() as session:
        voucher = session.scalars(select(Voucher).where(Voucher.code == code)).one()
        router_row = session.scalars(select(Router)).one()
        session.add(
            AcctSession(
                router_id=router_row.id,
                site_id=router_row.site_id,
                account_id=voucher.account_id,
                acct_session_id="81a00001",
                username=code,
                mac=mac,
                status=SessionStatus.OPEN,
                started_at=utcnow(),
                updated_at=utcnow(),
            )
        )


def test_status_page_shows_what_is_left(
    web: TestClient, village: Village, sessions: sessionmaker[Session]
) -> None:
    _online(sessions, village.codes[0], "AA:BB:CC:00:11:22")
    params = {"username": village.codes[0], "router": village.router, "mac": "aa-bb-cc-00-11-22"}
    response = web.get("/portal/status", params=params)
    assert response.status_code == 200
    assert "Sisa kuota data" in response.text and "953.7 MB" in response.text
    assert 'href="http://10.5.50.1/logout"' in response.text
    assert web.get("/portal/status", params={"username": "nobody"}).status_code == 404


@pytest.mark.parametrize(
    "changes",
    [
        {"mac": ""},  # a link typed by hand
        {"mac": "AA:BB:CC:99:99:99"},  # another device
        {"router": "another-router"},  # the name is right, the hotspot is not
    ],
)
def test_status_is_only_for_the_device_online_with_that_login(
    web: TestClient, village: Village, sessions: sessionmaker[Session], changes: dict[str, str]
) -> None:
    # Once, anyone could read a resident's package and usage by putting a name in the URL.
    _online(sessions, village.codes[0], "AA:BB:CC:00:11:22")
    params = {"username": village.codes[0], "router": village.router, "mac": "AA:BB:CC:00:11:22"}
    response = web.get("/portal/status", params=params | changes)
    assert response.status_code == 404 and "953.7 MB" not in response.text
