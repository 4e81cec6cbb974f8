"""The durable outbox of notifications: one row per (channel, message), sent by a delivery
worker (wifidesa.alerts.delivery) with retries.

- Queueing the same alert twice (a retried round, two pollers) sends it once: the dedupe key
  is unique per channel, and a second insert does nothing.
- A worker claims due rows in a short transaction of its own and sends them after it
  committed. The claim is a lease: `next_attempt_at` moves LEASE ahead, so a worker that dies
  mid-send leaves its rows to be taken again then (delivery is at least once; a send slower
  than the lease could go twice, which the senders' timeouts keep far apart). Two workers
  never claim one row: PostgreSQL skips rows another claim has locked (FOR UPDATE SKIP
  LOCKED); on SQLite the claim holds the writer lock (the caller's engine or WriterLock).
- A failed attempt is tried again after a backoff doubling from BACKOFF_FIRST up to
  BACKOFF_CAP; after MAX_ATTEMPTS attempts, or once the row is older than GIVE_UP_AFTER (an
  alert a day late helps nobody), it is given up.
- Sent and given-up rows are purged after KEEP.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from wifidesa.alerts.recipients import recipients
from wifidesa.alerts.texts import AlertText
from wifidesa.db.models import AlertChannel, Notification, NotificationState

BACKOFF_FIRST = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=1)
MAX_ATTEMPTS = 12  # about 5.6 hours of retries with the backoff above
GIVE_UP_AFTER = timedelta(days=1)
LEASE = timedelta(minutes=10)  # a claimed batch must be sent (or failed) within this
KEEP = timedelta(days=30)  # sent and given-up rows are kept this long for admins to see
CLAIM_BATCH = 20
MAX_ERROR = 200  # characters of the last error kept
MAX_SUBJECT = 200

DUE = (NotificationState.PENDING, NotificationState.FAILED, NotificationState.SENDING)
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Claimed:
    """A notification claimed for sending, detached from its session."""

    id: int
    claim: str
    channel_id: int
    subject: str
    body: str
    fields: Mapping[str, object]
    attempts: int  # including this one
    created_at: datetime


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt: 30 s, 1 min, 2 min, ... at most 1 h."""
    doublings = min(max(0, attempts - 1), 20)  # 2**20 x 30 s is far past the cap already
    return min(BACKOFF_FIRST * (1 << doublings), BACKOFF_CAP)


def queue(
    *,
    session: Session,
    text: AlertText,
    dedupe_key: str,
    now: datetime,
    site_id: int | None = None,
    channels: Sequence[AlertChannel] | None = None,
) -> int:
    """Queue a message for the recipients of a site (`site_id`) or for given channels; how
    many rows are new (a key queued before for a channel adds nothing for it)."""
    if channels is None:
        if site_id is None:
            raise TypeError("queue() needs site_id or channels")
        channels = recipients(session=session, site_id=site_id)
    rows = [
        {
            "channel_id": channel.id,
            "dedupe_key": dedupe_key[:128],
            "subject": text.subject[:MAX_SUBJECT],
            "body": text.body,
            "fields": dict(text.fields),
            "state": NotificationState.PENDING,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for channel in channels
        if channel.enabled
    ]
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    added = 0
    for row in rows:
        # ON CONFLICT DO NOTHING: another round (or poller) queued it first, perhaps in a
        # transaction that commits while this one runs; PostgreSQL then waits for it and
        # skips, rather than failing this whole transaction.
        inserted = session.scalar(
            insert(Notification)
            .values(**row)
            .on_conflict_do_nothing(index_elements=["channel_id", "dedupe_key"])
            .returning(Notification.id)
        )
        added += inserted is not None
    return added


def claim_due(*, session: Session, now: datetime, limit: int = CLAIM_BATCH) -> list[Claimed]:
    """Claim up to `limit` due notifications (oldest first) for this worker. The caller
    commits at once: the claim is the committed lease. On SQLite the transaction must hold
    the writer lock (see the module's docstring)."""
    due = (
        select(Notification.id)
        .where(Notification.state.in_(DUE), Notification.next_attempt_at <= now)
        .order_by(Notification.next_attempt_at, Notification.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    ids = list(session.scalars(due))
    if not ids:
        return []
    claim = secrets.token_hex(16)
    session.execute(
        update(Notification)
        # Asked again: a row sent or claimed since it was read is not taken twice.
        .where(
            Notification.id.in_(ids),
            Notification.state.in_(DUE),
            Notification.next_attempt_at <= now,
        )
        .values(
            state=NotificationState.SENDING,
            claim=claim,
            attempts=Notification.attempts + 1,
            next_attempt_at=now + LEASE,
        )
        .execution_options(synchronize_session=False)
    )
    rows = session.scalars(
        select(Notification).where(Notification.claim == claim).order_by(Notification.id)
    )
    return [
        Claimed(r.id, claim, r.channel_id, r.subject, r.body, r.fields, r.attempts, r.created_at)
        for r in rows
    ]


def mark_sent(*, session: Session, claimed: Claimed, now: datetime) -> bool:
    """Record a delivery; False if the claim was lost meanwhile (the lease ran out)."""
    result = session.execute(
        update(Notification)
        .where(Notification.id == claimed.id, Notification.claim == claimed.claim)
        .values(state=NotificationState.SENT, sent_at=now, claim=None, last_error=None)
    )
    return bool(getattr(result, "rowcount", 0))


def short_error(error: str) -> str:
    """An error as stored: one line, at most MAX_ERROR characters. The senders redact it."""
    line = _SPACE.sub(" ", error).strip()
    return line if len(line) <= MAX_ERROR else line[: MAX_ERROR - 1] + "…"


def mark_failed(
    *, session: Session, claimed: Claimed, error: str, now: datetime, final: bool = False
) -> NotificationState:
    """Record a failed attempt: tried again after the backoff, or given up (`final`, too many
    attempts, too old). `error` must hold no secret (the senders redact theirs)."""
    give_up = final or claimed.attempts >= MAX_ATTEMPTS or now - claimed.created_at >= GIVE_UP_AFTER
    state = NotificationState.GIVEN_UP if give_up else NotificationState.FAILED
    session.execute(
        update(Notification)
        .where(Notification.id == claimed.id, Notification.claim == claimed.claim)
        .values(
            state=state,
            claim=None,
            last_error=short_error(error),
            next_attempt_at=now + backoff(claimed.attempts),
        )
    )
    return state


def purge(*, session: Session, now: datetime) -> int:
    """Forget sent and given-up notifications older than KEEP; how many."""
    result = session.execute(
        delete(Notification).where(
            Notification.state.in_([NotificationState.SENT, NotificationState.GIVEN_UP]),
            Notification.created_at < now - KEEP,
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)
