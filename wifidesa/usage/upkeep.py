"""Session upkeep outside accounting packets: closing sessions whose router fell silent (villages
lose power, and a router that is off sends no Stop), and noting which routers were heard from."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session

from wifidesa.db.models import AcctSession, Router, SessionStatus
from wifidesa.db.models.sessions import OPEN_SESSION
from wifidesa.usage.accounting import DEFAULT_INTERIM, REAPED, SILENT_INTERIMS


def reap_silent_sessions(
    *, session: Session, now: datetime, default_interval: int = DEFAULT_INTERIM
) -> int:
    """Close open sessions silent for 3× their interim interval (routers lose power)."""
    shortest = now - timedelta(seconds=SILENT_INTERIMS * 60)
    candidates = session.execute(
        select(AcctSession.id, AcctSession.updated_at, AcctSession.interim_interval).where(
            OPEN_SESSION, AcctSession.updated_at < shortest
        )
    )
    lost = [
        {"b_id": sid, "stopped_at": updated}
        for sid, updated, interval in candidates
        if updated < now - timedelta(seconds=SILENT_INTERIMS * (interval or default_interval))
    ]
    if lost:
        table = cast(Table, AcctSession.__table__)
        session.connection().execute(
            table.update()
            .where(table.c.id == bindparam("b_id"), OPEN_SESSION)
            .values(
                status=SessionStatus.LOST,
                stopped_at=bindparam("stopped_at"),
                terminate_cause=REAPED,
            ),
            lost,
        )
    return len(lost)


def touch_routers(*, session: Session, router_ids: Sequence[int], now: datetime) -> None:
    """Note that these routers were heard from (shown to admins as "last seen")."""
    if router_ids:
        session.execute(
            update(Router)
            .where(Router.id.in_(router_ids))
            .values(last_seen_at=now)
            .execution_options(synchronize_session=False)
        )
