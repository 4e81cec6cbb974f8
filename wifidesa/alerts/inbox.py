"""What an admin sees of their alerts: the channels in reach (their own; a province admin
everyone's), the latest notifications sent or tried on them with their state, and a test
message queued to one of them."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import Session

from wifidesa.admin import audit
from wifidesa.admin.scope import Scope
from wifidesa.alerts.channels import ChannelView, require_channel
from wifidesa.alerts.outbox import queue
from wifidesa.alerts.texts import trial_text
from wifidesa.db.models import AdminUser, AlertChannel, ChannelKind, Notification
from wifidesa.db.models import NotificationState as State
from wifidesa.i18n import DEFAULT_LANGUAGE

RECENT = 50


@dataclass(frozen=True)
class Sent:
    """One notification as the page lists it (no body: a digest is long)."""

    id: int
    owner: str
    kind: ChannelKind
    address: str
    subject: str
    state: State
    attempts: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None


def _reach(scope: Scope) -> ColumnElement[bool]:
    """A WHERE clause on AlertChannel: one's own channels, or everyone's for the province."""
    return true() if scope.everything else AlertChannel.admin_id == scope.admin_id


def channels_in_reach(*, session: Session, scope: Scope) -> list[ChannelView]:
    """One's own channels; a province admin's page lists every admin's."""
    rows = session.execute(
        select(AlertChannel, AdminUser.username)
        .join(AdminUser, AdminUser.id == AlertChannel.admin_id)
        .where(_reach(scope))
        .order_by(AdminUser.username, AlertChannel.id)
    )
    return [
        ChannelView(c.id, row.username, c.kind, c.address, c.enabled, c.created_at)
        for row in rows
        for c in (row.AlertChannel,)
    ]


def recent_notifications(*, session: Session, scope: Scope, limit: int = RECENT) -> list[Sent]:
    """The latest notifications to the channels in reach, newest first."""
    rows = session.execute(
        select(Notification, AlertChannel.kind, AlertChannel.address, AdminUser.username)
        .join(AlertChannel, AlertChannel.id == Notification.channel_id)
        .join(AdminUser, AdminUser.id == AlertChannel.admin_id)
        .where(_reach(scope))
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
    )
    return [
        Sent(
            n.id,
            row.username,
            row.kind,
            row.address,
            n.subject,
            n.state,
            n.attempts,
            n.last_error,
            n.created_at,
            n.sent_at,
        )
        for row in rows
        for n in (row.Notification,)
    ]


def queue_test(
    *,
    session: Session,
    scope: Scope,
    channel_id: int,
    now: datetime,
    language: str = DEFAULT_LANGUAGE,
) -> int:
    """Queue a test message to a channel in reach (the `notify` service sends it within
    seconds); the notification's id."""
    channel = require_channel(session=session, scope=scope, channel_id=channel_id)
    queue(
        session=session,
        channels=[channel],
        text=trial_text(at=now, language=language),
        dedupe_key=f"test:{now:%Y%m%dT%H%M%S}:{secrets.token_hex(4)}",
        now=now,
    )
    audit.record(
        session=session,
        action="alerts.channel_test",
        actor=scope,
        object_type="alert_channel",
        object_id=channel.id,
        kind=channel.kind.value,
        address=channel.address,
    )
    found = session.scalar(
        select(Notification.id)
        .where(Notification.channel_id == channel.id)
        .order_by(Notification.id.desc())
        .limit(1)
    )
    assert found is not None
    return found
