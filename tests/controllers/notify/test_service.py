"""`wifidesa notify test|deliver`: a test message reaches a channel now; a queued alert goes
out with the configured senders."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker
from wdtest.alerts import make_channel, notifications, queue_down
from wdtest.receivers import HttpReceiver, http_receiver

from controllers.notify.service import deliver_all, queue_digest, register
from wifidesa.cli.context import AppContext
from wifidesa.cli.parser import Parser, add_subcommands
from wifidesa.crypto import SecretBox
from wifidesa.db.models import ChannelKind, NotificationState
from wifidesa.settings import Settings


def _notify(settings: Settings, *argv: str) -> int:
    parser = Parser(prog="wifidesa")
    register(add_subcommands(parser, "command"))
    args = parser.parse_args(["notify", *argv])
    ctx = AppContext(settings)
    try:
        return int(args.func(ctx, args))
    finally:
        ctx.close()


def test_a_test_message_reaches_the_channel_at_once(
    settings: Settings,
    sessions: sessionmaker[Session],
    box: SecretBox,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with http_receiver() as receiver:
        with sessions.begin() as session:
            channel = make_channel(session, box, ChannelKind.WEBHOOK, f"{receiver.url}/t")
        assert _notify(settings, "test", str(channel.id)) == 0
        assert _notify(settings, "test", str(channel.id)) == 0  # each test is a new message
    assert capsys.readouterr().out == "1 sent, 0 to retry, 0 given up\n" * 2
    assert [r.json()["subject"] for r in receiver.requests] == ["[WiFi Desa] Pesan uji"] * 2


def test_a_test_message_that_fails_exits_non_zero(
    settings: Settings, sessions: sessionmaker[Session], box: SecretBox
) -> None:
    with http_receiver(HttpReceiver(statuses=[500])) as receiver:
        with sessions.begin() as session:
            channel = make_channel(session, box, ChannelKind.WEBHOOK, f"{receiver.url}/t")
        assert _notify(settings, "test", str(channel.id)) == 1


def test_deliver_sends_what_is_due_with_the_configured_senders(
    settings: Settings, sessions: sessionmaker[Session], box: SecretBox
) -> None:
    with http_receiver() as api:
        settings = settings.model_copy(
            update={"telegram_api_url": api.url, "telegram_bot_token": "1:tok"}
        )
        with sessions.begin() as session:
            queue_down(session, [make_channel(session, box, ChannelKind.TELEGRAM, "42")])
        assert _notify(settings, "deliver") == 0
    assert [r.path for r in api.requests] == ["/bot1:tok/sendMessage"]
    with sessions() as session:
        assert [n.state for n in notifications(session)] == [NotificationState.SENT]


def test_the_service_queues_each_channel_one_digest_a_day_and_sends_it(
    settings: Settings, sessions: sessionmaker[Session], box: SecretBox
) -> None:
    with http_receiver() as hook:
        with sessions.begin() as session:
            make_channel(session, box, ChannelKind.WEBHOOK, f"{hook.url}/digest")
        off = settings.model_copy(update={"alert_digest_hour": None})
        assert queue_digest(off, sessions) == 0
        due = settings.model_copy(update={"alert_digest_hour": 0})  # due all day
        assert queue_digest(due, sessions) == 1
        assert queue_digest(due, sessions) == 0
        assert deliver_all(due, sessions).sent == 1
    (request,) = hook.requests
    assert request.json()["event"] == "digest"
    assert request.json()["subject"].startswith("[WiFi Desa] Ringkasan harian ")
