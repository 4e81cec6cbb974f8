"""E-mail against a local SMTP server (aiosmtpd): the alert arrives for its recipient with
its subject and the local time; login when configured; a refused login or a server that is
down is retried, and the password is never told."""

from __future__ import annotations

import socket

from sqlalchemy.orm import Session, sessionmaker
from wdtest.alerts import Clock, make_channel, notifications, queue_down
from wdtest.ports import free_ports
from wdtest.receivers import smtp_receiver

from controllers.notify.smtp import EmailSender
from wifidesa.alerts.delivery import Round, deliver_due
from wifidesa.alerts.outbox import backoff
from wifidesa.crypto import SecretBox
from wifidesa.db.models import ChannelKind, NotificationState

PASSWORD = "smtp-s3cr3t-password"


def _deliver(
    sessions: sessionmaker[Session],
    box: SecretBox,
    port: int,
    clock: Clock | None = None,
    username: str = "",
    password: str = "",
) -> Round:
    sender = EmailSender(
        host="127.0.0.1",
        port=port,
        starttls=False,
        username=username,
        password=password,
        mail_from="wifidesa@diskominfo.kaltimprov.go.id",
        timeout=5,
    )
    return deliver_due(
        write_sessions=sessions,
        lock=None,
        box=box,
        senders={ChannelKind.EMAIL: sender},
        clock=clock or Clock(),
    )


def _queued(sessions: sessionmaker[Session], box: SecretBox) -> None:
    with sessions.begin() as session:
        queue_down(session, [make_channel(session, box, ChannelKind.EMAIL, "kades@loaduri.id")])


def test_an_alert_arrives_by_mail_for_its_recipient_with_subject_and_wita_time(
    sessions: sessionmaker[Session], box: SecretBox
) -> None:
    _queued(sessions, box)
    (port,) = free_ports(1, socket.SOCK_STREAM)
    with smtp_receiver(port) as mails:
        assert _deliver(sessions, box, port).sent == 1
    (mail,) = mails
    assert mail.rcpt_tos == ["kades@loaduri.id"]
    assert mail.mail_from == "wifidesa@diskominfo.kaltimprov.go.id"
    assert mail.message["To"] == "kades@loaduri.id"
    assert mail.message["Subject"] == "[WiFi Desa] Desa Loa Duri: router loa-duri-1 mati"
    assert mail.message["Message-ID"].endswith("@diskominfo.kaltimprov.go.id>")
    body = mail.message.get_content()
    assert "31 Maret 2026 pukul 23.50 WITA" in body


def test_the_sender_logs_in_when_a_user_is_configured(
    sessions: sessionmaker[Session], box: SecretBox
) -> None:
    _queued(sessions, box)
    (port,) = free_ports(1, socket.SOCK_STREAM)
    with smtp_receiver(port, login=("wifidesa", PASSWORD)) as mails:
        assert _deliver(sessions, box, port, username="wifidesa", password=PASSWORD).sent == 1
    assert [mail.login for mail in mails] == ["wifidesa"]


def test_a_refused_login_is_retried_and_the_password_never_told(
    sessions: sessionmaker[Session], box: SecretBox
) -> None:
    _queued(sessions, box)
    (port,) = free_ports(1, socket.SOCK_STREAM)
    with smtp_receiver(port, login=("wifidesa", "another-password")) as mails:
        assert _deliver(sessions, box, port, username="wifidesa", password=PASSWORD).failed == 1
    assert mails == []
    with sessions() as session:
        (row,) = notifications(session)
    assert (row.state, row.last_error) == (NotificationState.FAILED, "SMTP login refused (535)")


def test_mail_waits_while_the_server_is_down_and_goes_when_it_is_back(
    sessions: sessionmaker[Session], box: SecretBox
) -> None:
    _queued(sessions, box)
    (port,) = free_ports(1, socket.SOCK_STREAM)
    clock = Clock()
    assert _deliver(sessions, box, port, clock).failed == 1
    with sessions() as session:
        assert notifications(session)[0].last_error == "connection refused"
    clock.advance(backoff(1))
    with smtp_receiver(port) as mails:
        assert _deliver(sessions, box, port, clock).sent == 1
    assert len(mails) == 1
