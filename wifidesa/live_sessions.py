"""Sessions as admins see them: who is online, how much they used, what the router was told."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from wifidesa.models import AcctSession, SessionStatus
from wifidesa.sites import get_site


def list_sessions(
    *, session: Session, site_code: str | None = None, open_only: bool = True, limit: int = 200
) -> list[AcctSession]:
    query = (
        select(AcctSession)
        .options(joinedload(AcctSession.router))
        .order_by(AcctSession.started_at.desc())
        .limit(limit)
    )
    if open_only:
        query = query.where(AcctSession.status == SessionStatus.OPEN)
    if site_code:
        query = query.where(AcctSession.site_id == get_site(session=session, code=site_code).id)
    return list(session.scalars(query))
