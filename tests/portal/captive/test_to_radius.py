"""The full path without a browser: the portal's hand-off, sent by a router to our RADIUS as
CHAP (chap-id and challenge from the router's page), is accepted; used once, refused after."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pyrad import packet
from wdtest.radius import RunningRadius, client, running_radius

from wifidesa.access.captive import decode_octal
from wifidesa.settings import Settings

from ..conftest import CHAP_CHALLENGE, CHAP_ID, ROUTER_SECRET, Village, form_fields, router_post


@pytest.fixture
def radius(settings: Settings, village: Village) -> Iterator[RunningRadius]:
    with running_radius(settings) as running:
        yield running


def router_logs_in(radius: RunningRadius, username: str, chap_hex: str) -> packet.Packet:
    """What RouterOS does with the posted form: CHAP-Password = id || MD5 from the page."""
    chap_id, challenge = decode_octal(CHAP_ID), decode_octal(CHAP_CHALLENGE)
    assert chap_id is not None and challenge is not None
    with client(radius, ROUTER_SECRET) as c:
        req = c.CreateAuthPacket(code=packet.AccessRequest, User_Name=username)
        req["CHAP-Password"] = chap_id + bytes.fromhex(chap_hex)
        req["CHAP-Challenge"] = challenge
        req["Calling-Station-Id"] = "AA:BB:CC:00:11:22"
        req.add_message_authenticator()
        return c.SendPacket(req)


@pytest.mark.parametrize(
    ("action", "fields"),
    [
        ("/portal/voucher", {"code": "VOUCHER"}),
        ("/portal/member", {"username": "budi", "password": "rahasia-budi"}),
        ("/portal/free", {"terms": "1"}),
    ],
    ids=["voucher", "resident", "free"],
)
def test_handoff_is_accepted_by_radius(
    web: TestClient, village: Village, radius: RunningRadius, action: str, fields: dict[str, str]
) -> None:
    fields = {k: (village.codes[0] if v == "VOUCHER" else v) for k, v in fields.items()}
    page = web.post("/portal/login", data=router_post(village)).text
    handoff = web.post(action, data=form_fields(page, action) | fields)
    form = form_fields(handoff.text, "http://10.5.50.1/login")
    reply = router_logs_in(radius, form["username"], form["password"])
    assert reply.code == packet.AccessAccept
    if action != "/portal/voucher":  # a token is single use; a voucher code is not
        again = router_logs_in(radius, form["username"], form["password"])
        assert again.code == packet.AccessReject
