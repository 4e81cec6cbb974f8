"""Kicks over the RouterOS API: the fallback of a Disconnect-Request the router never answered
(wifidesa.usage.coa_requests queues them). The controllers' task worker reads whom to kick
here, removes them from the router's `/ip/hotspot/active`, and records the outcome here: on
the task, and on the session's summary, which then says how the session was cut."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from wifidesa.db.models import AcctSession, CoAAction, CoAResult, SessionStatus, TaskState
from wifidesa.fleet import tasks

KICKED = "kicked over the RouterOS API"  # the session's coa_detail after a kick


@dataclass(frozen=True)
class KickTarget:
    """Whom to remove from the router's active list: its user and device (never logged)."""

    username: str
    mac: str | None
    open: bool


def kick_target(*, session: Session, session_id: int | None) -> KickTarget | None:
    """The user and MAC of the session a kick is about; None if there is no such session."""
    row = session.get(AcctSession, session_id) if session_id is not None else None
    if row is None:
        return None
    return KickTarget(row.username, row.mac, row.status is SessionStatus.OPEN)


def record_kick(
    *, session: Session, claimed: tasks.Claimed, removed: int | None, now: datetime
) -> bool:
    """A kick's outcome: `removed` entries left the router's active list (None: the session
    had ended, nothing was asked of the router). False if the claim was lost meanwhile."""
    if removed is None:
        outcome = "the session had ended already"
    elif removed:
        outcome = f"removed {removed} entr{'y' if removed == 1 else 'ies'} from the active list"
    else:
        outcome = "not on the router's active list"
    if not tasks.finish(
        session=session, claimed=claimed, state=TaskState.DONE, now=now, outcome=outcome
    ):
        return False
    if removed:
        session.execute(
            update(AcctSession)
            .where(
                AcctSession.id == claimed.session_id,
                AcctSession.coa_action == CoAAction.DISCONNECT,
            )
            .values(coa_result=CoAResult.ACK, coa_at=now, coa_detail=KICKED)
            .execution_options(synchronize_session=False)
        )
    return True
