"""A scripted fleet for the alert rules' tests: polls applied through the real `record_round`,
the rules run after each round as the poller runs them, and each admin's inbox read back."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from wdtest.factories import make_admin
from wifidesa.admin.scope import OPERATOR
from wifidesa.alerts.channels import add_channel
from wifidesa.alerts.rules import AlertRules, alert_round
from wifidesa.crypto import SecretBox
from wifidesa.db.models import AdminRole, AdminUser, AlertChannel, ChannelKind, Notification
from wifidesa.fleet.rounds import record_round
from wifidesa.fleet.samples import Sample
from wifidesa.fleet.transitions import Transition


def admin_with_channel(
    session: Session,
    box: SecretBox,
    username: str,
    role: AdminRole = AdminRole.PROVINCE,
    *,
    region_code: str | None = None,
    site_codes: Sequence[str] = (),
    address: str | None = None,
) -> AdminUser:
    """An admin with one e-mail channel (`<username>@example.org` unless given)."""
    admin = make_admin(
        session=session,
        username=username,
        password="admin-password-1",
        role=role,
        region_code=region_code,
        site_codes=site_codes,
    )
    add_channel(
        session=session,
        scope=OPERATOR,
        box=box,
        kind=ChannelKind.EMAIL,
        address=address or f"{username}@example.org",
        owner=username,
        now=datetime(2026, 1, 1, tzinfo=UTC),
    )
    return admin


def round_with_alerts(
    session: Session,
    *samples: Sample,
    now: datetime | None = None,
    rules: AlertRules | None = None,
) -> list[Transition]:
    """One poll round and the alert rules after it, in one transaction as the poller does."""
    now = now or max(sample.at for sample in samples)
    transitions = record_round(session=session, samples=samples, now=now)
    alert_round(session=session, transitions=transitions, now=now, rules=rules)
    return transitions


def inbox(session: Session) -> dict[str, list[str]]:
    """The subjects queued to each admin, oldest first, without the "[WiFi Desa] " prefix."""
    rows = session.execute(
        select(AdminUser.username, Notification.subject)
        .join(AlertChannel, AlertChannel.id == Notification.channel_id)
        .join(AdminUser, AdminUser.id == AlertChannel.admin_id)
        .order_by(Notification.id)
    )
    found: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        found[row.username].append(row.subject.removeprefix("[WiFi Desa] "))
    return dict(found)


def bodies(session: Session) -> list[str]:
    return list(session.scalars(select(Notification.body).order_by(Notification.id)))
