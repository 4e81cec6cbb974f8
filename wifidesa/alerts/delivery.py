"""One delivery round: claim the due notifications, send each through the sender of its
channel's kind, record each outcome in a short transaction of its own. One channel failing
(a dead webhook, a refused mail) never stops the others.

The senders come in from the edge (controllers.notify): the core never imports one. A sender
raises `SendFailed` with a reason fit to store and log (the sender removes tokens, URLs and
addresses from it); anything else it raises is recorded by its type alone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from wifidesa.alerts.channels import Destination, destination
from wifidesa.alerts.outbox import (
    CLAIM_BATCH,
    Claimed,
    claim_due,
    mark_failed,
    mark_sent,
)
from wifidesa.crypto import SecretBox
from wifidesa.db.engine import LockedWrites, WriterLock, transaction
from wifidesa.db.models import AdminUser, AlertChannel, ChannelKind, NotificationState
from wifidesa.errors import WifidesaError

log = logging.getLogger(__name__)

CHANNEL_OFF = "channel disabled, or its admin is"


class SendFailed(Exception):
    """A sender could not deliver; `reason` holds no secret (tokens, webhook URLs)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# Sends one notification to one destination; returns when it was accepted.
Sender = Callable[[Destination, Claimed], None]


@dataclass
class Round:
    """What one round did."""

    sent: int = 0
    failed: int = 0  # to be tried again
    given_up: int = 0
    outcomes: dict[int, NotificationState] = field(default_factory=dict)  # by notification

    @property
    def claimed(self) -> int:
        return self.sent + self.failed + self.given_up


def _destinations(
    session: Session, box: SecretBox, channel_ids: set[int]
) -> dict[int, Destination]:
    """The destinations of the channels still enabled for an active admin."""
    rows = session.scalars(
        select(AlertChannel)
        .join(AdminUser, AdminUser.id == AlertChannel.admin_id)
        .where(
            AlertChannel.id.in_(channel_ids),
            AlertChannel.enabled.is_(True),
            AdminUser.is_active.is_(True),
        )
    )
    found: dict[int, Destination] = {}
    for channel in rows:
        try:
            found[channel.id] = destination(channel, box)
        except WifidesaError:  # a webhook URL no key opens: its rows fail, the rest go
            log.error("alert channel %s: its webhook URL cannot be decrypted", channel.id)
    return found


def _send(senders: Mapping[ChannelKind, Sender], to: Destination, item: Claimed) -> str | None:
    """None when sent, else why not (fit to store)."""
    sender = senders.get(to.kind)
    if sender is None:
        return f"no sender for {to.kind.value} configured"
    try:
        sender(to, item)
    except SendFailed as exc:
        return exc.reason
    except Exception as exc:  # a sender's bug must not stop the round nor leak its message
        log.error("alert %s to channel %s: %s", item.id, to.channel_id, type(exc).__name__)
        return type(exc).__name__
    return None


def deliver_due(
    *,
    write_sessions: sessionmaker[Session],
    lock: WriterLock | None,
    box: SecretBox,
    senders: Mapping[ChannelKind, Sender],
    clock: Callable[[], datetime],
    limit: int = CLAIM_BATCH,
) -> Round:
    """Claim up to `limit` due notifications and send them, one by one. `lock`: the SQLite
    writer lock when `write_sessions`' engine does not take it itself (None: it does, or
    PostgreSQL). `clock` gives the aware UTC time."""
    writes = LockedWrites(write_sessions, lock)
    with writes.transaction() as session:
        batch = claim_due(session=session, now=clock(), limit=limit)
    done = Round()
    if not batch:
        return done
    with transaction(write_sessions) as session:
        found = _destinations(session, box, {item.channel_id for item in batch})
    for item in batch:
        to = found.get(item.channel_id)
        error = CHANNEL_OFF if to is None else _send(senders, to, item)
        with writes.transaction() as session:
            if error is None:
                mark_sent(session=session, claimed=item, now=clock())
                state = NotificationState.SENT
            else:
                state = mark_failed(
                    session=session,
                    claimed=item,
                    error=error,
                    now=clock(),
                    final=to is None,
                )
        done.outcomes[item.id] = state
        if state is NotificationState.SENT:
            done.sent += 1
        elif state is NotificationState.FAILED:
            done.failed += 1
        else:
            done.given_up += 1
        if error is not None:
            log.warning(
                "alert %s to channel %s: attempt %s failed (%s): %s",
                item.id,
                item.channel_id,
                item.attempts,
                state.value,
                error,
            )
    return done
