"""The notification outbox: one row per (channel, alert) however often it is queued, leased
claims two workers never share, retries with a capped backoff, given up at the limit."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker
from wdtest.factories import make_admin, make_site

from wifidesa.admin.scope import OPERATOR
from wifidesa.alerts.channels import add_channel
from wifidesa.alerts.outbox import (
    GIVE_UP_AFTER,
    LEASE,
    MAX_ATTEMPTS,
    backoff,
    claim_due,
    mark_failed,
    mark_sent,
    purge,
    queue,
)
from wifidesa.alerts.texts import AlertText
from wifidesa.crypto import SecretBox
from wifidesa.db.models import (
    AdminRole,
    AlertChannel,
    ChannelKind,
    Notification,
    NotificationState,
)

T0 = datetime(2026, 3, 31, 15, 55, tzinfo=UTC)  # 23.55 WITA: a day ends during the tests
TEXT = AlertText(subject="[WiFi Desa] s: router r mati", body="...", fields={"event": "down"})


def _channels(session: Session, box: SecretBox, count: int) -> list[AlertChannel]:
    """A province admin with `count` Telegram channels."""
    admin = make_admin(
        session=session, username="prov", password="admin-password-1", role=AdminRole.PROVINCE
    )
    for n in range(count):
        add_channel(
            session=session,
            scope=OPERATOR,
            box=box,
            kind=ChannelKind.TELEGRAM,
            address=str(100 + n),
            owner=admin.username,
            now=T0,
        )
    return list(session.scalars(select(AlertChannel).order_by(AlertChannel.id)))


def _rows(session: Session) -> list[Notification]:
    return list(session.scalars(select(Notification).order_by(Notification.id)))


def test_an_alert_queued_twice_is_one_row_per_channel(
    sessions: sessionmaker[Session], box: SecretBox
) -> None:
    with sessions.begin() as session:
        site = make_site(session)
        _channels(session, box, 2)
        assert queue(session=session, site_id=site.id, text=TEXT, dedupe_key="down:1", now=T0) == 2
    with sessions.begin() as session:  # a retried round, another poller: nothing new
        assert queue(session=session, site_id=site.id, text=TEXT, dedupe_key="down:1", now=T0) == 0
        assert queue(session=session, site_id=site.id, text=TEXT, dedupe_key="up:1", now=T0) == 2
    with sessions() as session:
        rows = _rows(session)
    assert [(r.dedupe_key, r.state, r.attempts) for r in rows] == [
        ("down:1", NotificationState.PENDING, 0),
        ("down:1", NotificationState.PENDING, 0),
        ("up:1", NotificationState.PENDING, 0),
        ("up:1", NotificationState.PENDING, 0),
    ]
    assert rows[0].fields == {"event": "down"}


def test_a_claim_is_a_lease_taken_again_when_its_worker_went_quiet(
    sessions: sessionmaker[Session], box: SecretBox
) -> None:
    with sessions.begin() as session:
        channels = _channels(session, box, 1)
        queue(session=session, channels=channels, text=TEXT, dedupe_key="k", now=T0)
    with sessions.begin() as session:
        first = claim_due(session=session, now=T0)
    with sessions.begin() as session:
        assert claim_due(session=session, now=T0 + LEASE - timedelta(seconds=1)) == []
        again = claim_due(session=session, now=T0 + LEASE)
    assert [c.id for c in again] == [c.id for c in first]
    assert (first[0].attempts, again[0].attempts) == (1, 2)
    with sessions.begin() as session:  # the first worker comes back late: its claim is gone
        assert not mark_sent(session=session, claimed=first[0], now=T0 + LEASE)
        assert mark_sent(session=session, claimed=again[0], now=T0 + LEASE)
        assert claim_due(session=session, now=T0 + 2 * LEASE) == []
    with sessions() as session:
        (row,) = _rows(session)
    assert (row.state, row.sent_at, row.claim) == (NotificationState.SENT, T0 + LEASE, None)


def test_the_backoff_doubles_from_thirty_seconds_up_to_an_hour() -> None:
    waits = [backoff(n).total_seconds() for n in range(1, 10)]
    assert waits == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]
    assert backoff(10_000) == timedelta(hours=1)


def test_a_failed_notification_waits_its_backoff_then_gives_up_at_the_limit(
    sessions: sessionmaker[Session], box: SecretBox
) -> None:
    with sessions.begin() as session:
        queue(
            session=session, channels=_channels(session, box, 1), text=TEXT, dedupe_key="k", now=T0
        )
    now = T0
    states = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        with sessions.begin() as session:
            assert claim_due(session=session, now=now - timedelta(seconds=1)) == []
            (claimed,) = claim_due(session=session, now=now)
            assert claimed.attempts == attempt
            states.append(
                mark_failed(session=session, claimed=claimed, error="HTTP 500\n  boom", now=now)
            )
        now += backoff(attempt)
    assert states == [NotificationState.FAILED] * (MAX_ATTEMPTS - 1) + [NotificationState.GIVEN_UP]
    with sessions() as session:
        (row,) = _rows(session)
        assert claim_due(session=session, now=now + timedelta(days=30)) == []
    assert (row.state, row.attempts, row.last_error) == (
        NotificationState.GIVEN_UP,
        MAX_ATTEMPTS,
        "HTTP 500 boom",
    )


def test_a_notification_a_day_old_is_given_up_at_its_next_failure(
    sessions: sessionmaker[Session], box: SecretBox
) -> None:
    with sessions.begin() as session:
        queue(
            session=session, channels=_channels(session, box, 1), text=TEXT, dedupe_key="k", now=T0
        )
    later = T0 + GIVE_UP_AFTER
    with sessions.begin() as session:
        (claimed,) = claim_due(session=session, now=later)
        state = mark_failed(session=session, claimed=claimed, error="x" * 500, now=later)
    assert state is NotificationState.GIVEN_UP
    with sessions() as session:
        (row,) = _rows(session)
    assert row.last_error is not None and len(row.last_error) == 200


def test_old_sent_and_given_up_rows_are_purged_and_the_rest_kept(
    sessions: sessionmaker[Session], box: SecretBox
) -> None:
    with sessions.begin() as session:
        channels = _channels(session, box, 1)
        for key in ("sent", "given-up", "pending"):
            queue(session=session, channels=channels, text=TEXT, dedupe_key=key, now=T0)
        sent, given_up, _ = claim_due(session=session, now=T0)
        mark_sent(session=session, claimed=sent, now=T0)
        mark_failed(session=session, claimed=given_up, error="x", now=T0, final=True)
    with sessions.begin() as session:
        assert purge(session=session, now=T0 + timedelta(days=29)) == 0
        assert purge(session=session, now=T0 + timedelta(days=31)) == 2
    with sessions() as session:
        assert [r.dedupe_key for r in _rows(session)] == ["pending"]


def test_two_workers_claiming_at_once_never_share_a_row(
    backend: str,
    writes: sessionmaker[Session],
    box: SecretBox,
) -> None:
    with writes.begin() as session:
        channels = _channels(session, box, 1)
        for n in range(40):
            queue(session=session, channels=channels, text=TEXT, dedupe_key=f"k{n}", now=T0)
    taken: list[list[int]] = [[], []]
    start = threading.Barrier(2)

    def worker(index: int) -> None:
        start.wait()
        while True:
            with writes.begin() as session:
                batch = claim_due(session=session, now=T0, limit=3)
            if not batch:
                return
            taken[index].extend(c.id for c in batch)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not set(taken[0]) & set(taken[1])
    assert len(taken[0]) + len(taken[1]) == 40


def test_a_claim_skips_the_rows_another_open_claim_holds(
    backend: str, sessions: sessionmaker[Session], box: SecretBox
) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite has one writer: a second claim waits for the first to commit")
    with sessions.begin() as session:
        channels = _channels(session, box, 1)
        for n in range(6):
            queue(session=session, channels=channels, text=TEXT, dedupe_key=f"k{n}", now=T0)
    with sessions.begin() as first:
        held = claim_due(session=first, now=T0, limit=4)  # not committed yet
        with sessions.begin() as second:
            # Waiting for the first claim's locks would wait for ever here: fail instead.
            second.execute(text("SET LOCAL lock_timeout = '5s'"))
            other = claim_due(session=second, now=T0, limit=10)
    assert len(held) == 4 and len(other) == 2
    assert not {c.id for c in held} & {c.id for c in other}
