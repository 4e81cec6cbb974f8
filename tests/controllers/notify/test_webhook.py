"""Webhooks against a local HTTP receiver: the JSON document, retries with backoff while it
answers 500 or is down, given up at the limit, no redirect followed, no token told."""

from __future__ import annotations

import logging
import socket
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker
from wdtest.alerts import Clock, make_channel, notifications, queue_down
from wdtest.ports import free_ports
from wdtest.receivers import HttpReceiver, http_receiver

from controllers.notify.webhook import WebhookSender
from wifidesa.alerts.delivery import deliver_due
from wifidesa.alerts.outbox import MAX_ATTEMPTS, backoff
from wifidesa.crypto import SecretBox
from wifidesa.db.models import ChannelKind, NotificationState

TOKEN = "s3cr3t-w3bh00k-t0k3n"


def _deliver(sessions: sessionmaker[Session], box: SecretBox, clock: Clock, timeout: float = 5):
    return deliver_due(
        write_sessions=sessions,
        lock=None,
        box=box,
        senders={ChannelKind.WEBHOOK: WebhookSender(timeout=timeout)},
        clock=clock,
    )


def _queued(sessions: sessionmaker[Session], box: SecretBox, url: str) -> None:
    with sessions.begin() as session:
        queue_down(session, [make_channel(session, box, ChannelKind.WEBHOOK, url)])


def _no_token_anywhere(sessions: sessionmaker[Session], caplog: pytest.LogCaptureFixture) -> None:
    assert caplog.records  # the failures were logged...
    assert all(TOKEN not in r.getMessage() for r in caplog.records)  # ...without the token
    with sessions() as session:
        assert all(TOKEN not in (n.last_error or "") for n in notifications(session))


def test_a_webhook_receives_the_event_and_its_text_as_json(
    sessions: sessionmaker[Session], box: SecretBox
) -> None:
    with http_receiver() as receiver:
        _queued(sessions, box, f"{receiver.url}/hooks/{TOKEN}?channel=noc")
        done = _deliver(sessions, box, Clock())
    assert done.sent == 1
    (request,) = receiver.requests
    assert request.path == f"/hooks/{TOKEN}?channel=noc"
    assert request.headers["Content-Type"] == "application/json; charset=utf-8"
    document = request.json()
    with sessions() as session:
        (row,) = notifications(session)
    assert document == {
        "event": "down",
        "site": "Desa Loa Duri",
        "router": "loa-duri-1",
        "at": "2026-03-31T15:50:00+00:00",
        "minutes_down": 15,
        "subject": "[WiFi Desa] Desa Loa Duri: router loa-duri-1 mati",
        "text": "Router loa-duri-1 di Desa Loa Duri tidak menjawab sejak 31 Maret 2026 pukul "
        "23.50 WITA (15 menit).",
        "notification_id": row.id,
    }
    assert (row.state, row.attempts, row.sent_at) == (NotificationState.SENT, 1, row.sent_at)


def test_a_webhook_answering_500_is_tried_again_after_its_backoff_then_sent(
    sessions: sessionmaker[Session], box: SecretBox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    clock = Clock()
    with http_receiver(HttpReceiver(statuses=[500, 503])) as receiver:
        _queued(sessions, box, f"{receiver.url}/hooks/{TOKEN}")
        assert _deliver(sessions, box, clock).failed == 1
        clock.advance(backoff(1) - timedelta(seconds=1))
        assert _deliver(sessions, box, clock).claimed == 0  # not yet
        clock.advance(timedelta(seconds=1))
        assert _deliver(sessions, box, clock).failed == 1
        with sessions() as session:
            (row,) = notifications(session)
        assert (row.state, row.attempts, row.last_error) == (
            NotificationState.FAILED,
            2,
            "HTTP 503",
        )
        assert row.next_attempt_at == clock.now + backoff(2)
        clock.advance(backoff(2))
        assert _deliver(sessions, box, clock).sent == 1
    assert len(receiver.requests) == 3
    _no_token_anywhere(sessions, caplog)


def test_a_webhook_that_is_down_is_retried_and_sent_when_it_comes_back(
    sessions: sessionmaker[Session], box: SecretBox, caplog: pytest.LogCaptureFixture
) -> None:
    (port,) = free_ports(1, socket.SOCK_STREAM)
    clock = Clock()
    _queued(sessions, box, f"http://127.0.0.1:{port}/hooks/{TOKEN}")
    assert _deliver(sessions, box, clock).failed == 1
    with sessions() as session:
        assert notifications(session)[0].last_error == "connection refused"
    clock.advance(backoff(1))
    with http_receiver(HttpReceiver(port=port)) as receiver:
        assert _deliver(sessions, box, clock).sent == 1
    assert len(receiver.requests) == 1
    _no_token_anywhere(sessions, caplog)


def test_a_webhook_that_never_answers_times_out_and_is_retried(
    sessions: sessionmaker[Session], box: SecretBox
) -> None:
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # connections complete in the backlog; nothing ever answers
    try:
        _queued(sessions, box, f"http://127.0.0.1:{silent.getsockname()[1]}/hooks/{TOKEN}")
        assert _deliver(sessions, box, Clock(), timeout=0.3).failed == 1
    finally:
        silent.close()
    with sessions() as session:
        assert notifications(session)[0].last_error == "timeout"


def test_a_redirect_is_not_followed(sessions: sessionmaker[Session], box: SecretBox) -> None:
    with (
        http_receiver() as elsewhere,
        http_receiver(
            HttpReceiver(statuses=[307], headers={"Location": f"{elsewhere.url}/stolen"})
        ) as receiver,
    ):
        _queued(sessions, box, f"{receiver.url}/hooks/{TOKEN}")
        assert _deliver(sessions, box, Clock()).failed == 1
    assert len(receiver.requests) == 1
    assert elsewhere.requests == []
    with sessions() as session:
        assert notifications(session)[0].last_error == "HTTP 307"


def test_a_webhook_failing_every_time_is_given_up_at_the_limit(
    sessions: sessionmaker[Session], box: SecretBox
) -> None:
    clock = Clock()
    with http_receiver(HttpReceiver(statuses=[500] * (MAX_ATTEMPTS + 5))) as receiver:
        _queued(sessions, box, f"{receiver.url}/hooks/{TOKEN}")
        for attempt in range(1, MAX_ATTEMPTS + 3):
            _deliver(sessions, box, clock)
            clock.advance(backoff(attempt))
    assert len(receiver.requests) == MAX_ATTEMPTS
    with sessions() as session:
        (row,) = notifications(session)
    assert (row.state, row.attempts) == (NotificationState.GIVEN_UP, MAX_ATTEMPTS)


def test_queueing_an_alert_twice_delivers_it_once(
    sessions: sessionmaker[Session], box: SecretBox
) -> None:
    with http_receiver() as receiver:
        with sessions.begin() as session:
            channel = make_channel(session, box, ChannelKind.WEBHOOK, f"{receiver.url}/h/{TOKEN}")
            queue_down(session, [channel])
        with sessions.begin() as session:  # the next poll round sees the same outage
            queue_down(session, [session.merge(channel)])
        clock = Clock()
        _deliver(sessions, box, clock)
        clock.advance(timedelta(hours=1))
        _deliver(sessions, box, clock)
    assert len(receiver.requests) == 1
