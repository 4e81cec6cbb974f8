"""The "Notifikasi" page: an admin adds a channel (a webhook's token never shown nor echoed),
tries it with a test message and sees each notification's state as the notify service left
it (sent, retrying); a province admin sees everyone's channels."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from wdtest.admin_world import World, sign_in
from wdtest.receivers import HttpReceiver, http_receiver

from controllers.notify.service import deliver_all
from wifidesa.settings import Settings


def test_a_webhook_added_on_the_page_is_shown_without_its_token(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    csrf = sign_in(web, sessions, "desa_a")
    url = "https://hooks.example.org/desa/T0KEN-123"
    answer = web.post(
        "/admin/notifications/channels", data={"csrf": csrf, "kind": "webhook", "address": url}
    )
    assert answer.status_code == 303
    page = web.get("/admin/notifications").text
    assert "https://hooks.example.org/…" in page and "T0KEN-123" not in page


def test_a_refused_address_is_explained_and_a_webhook_token_not_echoed(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    csrf = sign_in(web, sessions, "desa_a")
    plain = "http://hooks.example.org/desa/T0KEN-123"  # http to a public host
    answer = web.post(
        "/admin/notifications/channels?lang=en",
        data={"csrf": csrf, "kind": "webhook", "address": plain},
    )
    assert answer.status_code == 400
    assert "a webhook must use https" in answer.text and "T0KEN-123" not in answer.text
    answer = web.post(
        "/admin/notifications/channels?lang=id",
        data={"csrf": csrf, "kind": "email", "address": "bukan alamat"},
    )
    assert answer.status_code == 400 and "bukan alamat e-mail" in answer.text
    assert 'value="bukan alamat"' in answer.text  # kept in the form to correct


def test_a_test_message_shows_queued_then_sent_or_retrying(
    web: TestClient, world: World, sessions: sessionmaker[Session], settings: Settings
) -> None:
    csrf = sign_in(web, sessions, "kab_own")
    with http_receiver() as good, http_receiver(HttpReceiver(statuses=[500])) as bad:
        for receiver in (good, bad):
            address = f"{receiver.url}/hook"
            web.post(
                "/admin/notifications/channels",
                data={"csrf": csrf, "kind": "webhook", "address": address},
            )
        page = web.get("/admin/notifications").text
        ids = [int(part.split("/")[0]) for part in page.split("/admin/notifications/channels/")[1:]]
        for channel_id in sorted(set(ids)):
            done = web.post(f"/admin/notifications/channels/{channel_id}/test", data={"csrf": csrf})
            assert done.status_code == 303
        queued = web.get("/admin/notifications?done=test").text
        assert "Pesan uji diantrekan" in queued and queued.count("dalam antrean") == 2
        deliver_all(settings, sessions)
    assert len(good.requests) == 1 and len(bad.requests) == 1
    page = web.get("/admin/notifications?lang=en").text
    assert page.count("[WiFi Desa] Pesan uji") == 2  # in the language it was asked in
    assert ">sent<" in page and ">retrying<" in page and "HTTP 500" in page


def test_a_province_admin_sees_every_admins_channels(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    csrf = sign_in(web, sessions, "kab_other")
    web.post(
        "/admin/notifications/channels",
        data={"csrf": csrf, "kind": "telegram", "address": "-1001234567890"},
    )
    sign_in(web, sessions, "province")
    page = web.get("/admin/notifications").text
    assert "desa-a-alerts@example.org" in page and "-1001234567890" in page
    assert "kab-other" in page and "desa-a" in page
