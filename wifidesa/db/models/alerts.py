"""Alerts to admins: their channels (e-mail, Telegram, webhook) and the durable outbox of
notifications the delivery worker sends. wifidesa.alerts holds the rules."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from wifidesa.db.engine import Base, BigIntKey, UTCDateTime, utcnow
from wifidesa.db.models._types import str_enum


class ChannelKind(StrEnum):
    EMAIL = "email"
    TELEGRAM = "telegram"
    WEBHOOK = "webhook"


class NotificationState(StrEnum):
    PENDING = "pending"  # queued, never tried
    SENDING = "sending"  # claimed by a worker until `next_attempt_at` (its lease)
    SENT = "sent"
    FAILED = "failed"  # the last attempt failed; tried again at `next_attempt_at`
    GIVEN_UP = "given_up"  # too many attempts, or too old to matter


class AlertChannel(Base):
    """One way to tell one admin. `address` is what may be shown: an e-mail address, a
    Telegram chat id, or a webhook URL cut after its host; a webhook's whole URL (which may
    carry a token) is kept only encrypted, in `url_enc`."""

    __tablename__ = "alert_channels"

    id: Mapped[int] = mapped_column(primary_key=True)
    admin_id: Mapped[int] = mapped_column(
        ForeignKey("admin_users.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[ChannelKind] = mapped_column(str_enum(ChannelKind, "alert_channel_kind"))
    address: Mapped[str] = mapped_column(String(320))
    url_enc: Mapped[str | None] = mapped_column(Text)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Notification(Base):
    """One message to one channel. (channel, dedupe key) is unique, so the same alert queued
    twice (a retried round, two pollers) is sent once."""

    __tablename__ = "alert_notifications"
    __table_args__ = (
        UniqueConstraint("channel_id", "dedupe_key"),
        # What the delivery worker looks for: due rows by state and time.
        Index("ix_alert_notifications_due", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    # Indexed by the unique constraint, which starts with it.
    channel_id: Mapped[int] = mapped_column(ForeignKey("alert_channels.id", ondelete="CASCADE"))
    dedupe_key: Mapped[str] = mapped_column(String(128))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    # The event's fields, as a webhook receives them beside the text.
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[NotificationState] = mapped_column(
        str_enum(NotificationState, "notification_state"), default=NotificationState.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The claim of the worker sending it: only that worker records the outcome.
    claim: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RouterAlertState(Base):
    """What the alert rules (wifidesa.alerts.rules) told about one router, so they hold across
    rounds and pollers: the outage whose "down" alert went out (so "back up" follows it, and
    only it), and a run of flapping (no per-change alerts until it is stable again). A router
    the rules never spoke of has no row."""

    __tablename__ = "router_alert_states"

    router_id: Mapped[int] = mapped_column(
        ForeignKey("routers.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    # The `state_since` of the down state whose alert was queued; NULL when none is owed.
    down_alerted_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the rules found it flapping; NULL when it is not.
    flapping_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
