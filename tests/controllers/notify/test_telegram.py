"""Telegram against a local stand-in of the Bot API: sendMessage with the bot's token in the
path, the chat and the text in the body; failures told without the token."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy.orm import Session, sessionmaker
from wdtest.alerts import Clock, make_channel, notifications, queue_down
from wdtest.receivers import HttpReceiver, http_receiver

from controllers.notify.telegram import TelegramSender
from wifidesa.alerts.delivery import Round, deliver_due
from wifidesa.crypto import SecretBox
from wifidesa.db.models import ChannelKind, NotificationState

TOKEN = "123456:AAE-s3cr3t-b0t-t0k3n"


def _deliver(
    sessions: sessionmaker[Session], box: SecretBox, api_url: str, token: str = TOKEN
) -> Round:
    sender = TelegramSender(token=token, api_url=api_url, timeout=5)
    assert TOKEN not in repr(sender)
    return deliver_due(
        write_sessions=sessions,
        lock=None,
        box=box,
        senders={ChannelKind.TELEGRAM: sender},
        clock=Clock(),
    )


def _queued(sessions: sessionmaker[Session], box: SecretBox) -> None:
    with sessions.begin() as session:
        queue_down(session, [make_channel(session, box, ChannelKind.TELEGRAM, "-1001234567890")])


def test_a_telegram_message_goes_to_the_bots_send_message_with_the_chat_and_text(
    sessions: sessionmaker[Session], box: SecretBox
) -> None:
    _queued(sessions, box)
    with http_receiver() as api:
        assert _deliver(sessions, box, f"{api.url}/").sent == 1
    (request,) = api.requests
    assert request.path == f"/bot{TOKEN}/sendMessage"
    assert request.json() == {
        "chat_id": "-1001234567890",
        "text": "[WiFi Desa] Desa Loa Duri: router loa-duri-1 mati\n\nRouter loa-duri-1 di "
        "Desa Loa Duri tidak menjawab sejak 31 Maret 2026 pukul 23.50 WITA (15 menit).",
        "disable_web_page_preview": True,
    }


def test_a_refusal_is_stored_with_telegrams_reason_and_never_the_token(
    sessions: sessionmaker[Session], box: SecretBox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    _queued(sessions, box)
    # An API that quotes the request (a proxy's error page might) must not leak it either.
    answer = {"ok": False, "description": f"Bad Request: chat not found (/bot{TOKEN}/x)"}
    with http_receiver(HttpReceiver(statuses=[400], answer=answer)) as api:
        assert _deliver(sessions, box, api.url).failed == 1
    with sessions() as session:
        (row,) = notifications(session)
    assert row.state is NotificationState.FAILED
    assert row.last_error == "HTTP 400: Bad Request: chat not found (/bot…/x)"
    assert caplog.records
    assert all(TOKEN not in r.getMessage() for r in caplog.records)


def test_an_ok_false_answer_is_not_a_delivery(
    sessions: sessionmaker[Session], box: SecretBox
) -> None:
    _queued(sessions, box)
    with http_receiver(HttpReceiver(answer={"ok": False})) as api:
        assert _deliver(sessions, box, api.url).failed == 1


def test_without_a_bot_token_telegram_messages_wait_and_say_why(
    sessions: sessionmaker[Session], box: SecretBox
) -> None:
    _queued(sessions, box)
    with http_receiver() as api:
        assert _deliver(sessions, box, api.url, token="").failed == 1
    assert api.requests == []
    with sessions() as session:
        (row,) = notifications(session)
    assert row.last_error == "no Telegram bot token configured (WIFIDESA_TELEGRAM_BOT_TOKEN)"
