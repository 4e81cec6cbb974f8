"""A delivery round: each claimed notification sent through its kind's sender, one failing
channel never stopping the others, and two rounds at once never sending a row twice."""

from __future__ import annotations

import threading
from collections import Counter

from sqlalchemy.orm import Session, sessionmaker
from wdtest.alerts import Clock, make_channel, notifications, queue_down
from wdtest.receivers import HttpReceiver, http_receiver

from controllers.notify.webhook import WebhookSender
from wifidesa.admin.scope import OPERATOR
from wifidesa.alerts.channels import Destination, set_enabled
from wifidesa.alerts.delivery import deliver_due
from wifidesa.alerts.outbox import Claimed
from wifidesa.crypto import SecretBox
from wifidesa.db.models import ChannelKind, NotificationState


def test_one_failing_channel_never_stops_the_others(
    sessions: sessionmaker[Session], box: SecretBox
) -> None:
    with http_receiver(HttpReceiver(statuses=[500])) as broken, http_receiver() as working:
        with sessions.begin() as session:
            channels = [
                make_channel(session, box, ChannelKind.WEBHOOK, f"{broken.url}/a"),
                make_channel(session, box, ChannelKind.TELEGRAM, "42"),  # its sender raises
                make_channel(session, box, ChannelKind.WEBHOOK, f"{working.url}/b"),
                make_channel(session, box, ChannelKind.EMAIL, "x@example.org"),  # no sender
            ]
            queue_down(session, channels)

        def buggy(to: Destination, item: Claimed) -> None:
            raise KeyError("a bug that names http://secret-url/t0ken")

        done = deliver_due(
            write_sessions=sessions,
            lock=None,
            box=box,
            senders={ChannelKind.WEBHOOK: WebhookSender(timeout=5), ChannelKind.TELEGRAM: buggy},
            clock=Clock(),
        )
    assert (done.sent, done.failed) == (1, 3)
    assert len(working.requests) == 1
    with sessions() as session:
        errors = [(n.state, n.last_error) for n in notifications(session)]
    assert errors == [
        (NotificationState.FAILED, "HTTP 500"),
        (NotificationState.FAILED, "KeyError"),
        (NotificationState.SENT, None),
        (NotificationState.FAILED, "no sender for email configured"),
    ]


def test_a_notification_of_a_disabled_channel_is_given_up_unsent(
    sessions: sessionmaker[Session], box: SecretBox
) -> None:
    with http_receiver() as receiver:
        with sessions.begin() as session:
            channel = make_channel(session, box, ChannelKind.WEBHOOK, f"{receiver.url}/a")
            queue_down(session, [channel])
            set_enabled(session=session, scope=OPERATOR, channel_id=channel.id, enabled=False)
        done = deliver_due(
            write_sessions=sessions,
            lock=None,
            box=box,
            senders={ChannelKind.WEBHOOK: WebhookSender(timeout=5)},
            clock=Clock(),
        )
    assert done.given_up == 1
    assert receiver.requests == []


def test_two_rounds_at_once_never_send_one_notification_twice(
    writes: sessionmaker[Session], box: SecretBox
) -> None:
    with http_receiver() as receiver:
        with writes.begin() as session:
            channels = [
                make_channel(session, box, ChannelKind.WEBHOOK, f"{receiver.url}/{n}")
                for n in range(3)
            ]
            for n in range(20):
                queue_down(session, channels, key=f"down:{n}")
        start = threading.Barrier(2)

        def worker() -> None:
            start.wait()
            while deliver_due(
                write_sessions=writes,
                lock=None,
                box=box,
                senders={ChannelKind.WEBHOOK: WebhookSender(timeout=10)},
                clock=Clock(),
                limit=4,
            ).claimed:
                pass

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    sent = Counter(r.json()["notification_id"] for r in receiver.requests)
    assert len(sent) == 60
    assert set(sent.values()) == {1}
    with writes() as session:
        assert {n.state for n in notifications(session)} == {NotificationState.SENT}
