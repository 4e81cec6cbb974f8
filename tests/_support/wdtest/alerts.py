"""Alert test helpers: a channel for a fresh admin, a queued fleet event, a clock to move."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from wdtest.factories import make_admin
from wifidesa.admin.scope import OPERATOR
from wifidesa.alerts.channels import add_channel
from wifidesa.alerts.outbox import queue
from wifidesa.alerts.texts import EventKind, FleetEvent, render_event
from wifidesa.crypto import SecretBox
from wifidesa.db.models import AdminRole, AlertChannel, ChannelKind, Notification

# 23.50 WITA on 31 March: alerts show the local time, the next day starts during a test
T0 = datetime(2026, 3, 31, 15, 50, tzinfo=UTC)
_admins = itertools.count(1)


@dataclass
class Clock:
    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


def make_channel(session: Session, box: SecretBox, kind: ChannelKind, address: str) -> AlertChannel:
    """A channel of a new province admin's."""
    admin = make_admin(
        session=session,
        username=f"alerted-{next(_admins)}",
        password="admin-password-1",
        role=AdminRole.PROVINCE,
    )
    view = add_channel(
        session=session,
        scope=OPERATOR,
        box=box,
        kind=kind,
        address=address,
        owner=admin.username,
        now=T0,
    )
    return session.get_one(AlertChannel, view.id)


DOWN = FleetEvent(
    EventKind.DOWN, at=T0, site_name="Desa Loa Duri", router_name="loa-duri-1", minutes_down=15
)


def queue_down(
    session: Session, channels: list[AlertChannel], *, key: str = "down:1", now: datetime = T0
) -> None:
    queue(session=session, channels=channels, text=render_event(DOWN), dedupe_key=key, now=now)


def notifications(session: Session) -> list[Notification]:
    return list(session.scalars(select(Notification).order_by(Notification.id)))
