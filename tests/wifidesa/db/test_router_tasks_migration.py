"""Migration 0022: requests in flight on the sessions when the service stopped for the upgrade
move onto the router-task outbox (a Disconnect is sent again; a throttle is decided afresh)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import column, insert, select, table
from wdtest import TEST_SECRET
from wdtest.factories import make_router

from wifidesa.crypto import SecretBox
from wifidesa.db import schema
from wifidesa.db.engine import UTCDateTime, make_engine, make_session_factory
from wifidesa.db.models import (
    AcctSession,
    CoAAction,
    CoAResult,
    RouterTask,
    SessionStatus,
    TaskKind,
    TaskState,
)
from wifidesa.places.regions import ensure_reference_regions

AT = datetime(2026, 3, 31, 15, 0, tzinfo=UTC)
SESSIONS_0021 = table(
    "sessions",
    *(
        column(name)
        for name in (
            "router_id",
            "site_id",
            "acct_session_id",
            "username",
            "status",
            "session_time",
            "input_octets",
            "output_octets",
            "coa_action",
            "coa_result",
        )
    ),
    *(column(name, UTCDateTime()) for name in ("started_at", "updated_at", "coa_at")),
)


def test_requests_in_flight_move_onto_router_tasks(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    schema.upgrade(engine, "0021")
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        ensure_reference_regions(session=session)
        router = make_router(session, SecretBox(TEST_SECRET))
        wanted = {
            "queued": (CoAAction.DISCONNECT, CoAResult.QUEUED, SessionStatus.OPEN),
            "pending": (CoAAction.DISCONNECT, CoAResult.PENDING, SessionStatus.OPEN),
            "throttle": (CoAAction.THROTTLE, CoAResult.PENDING, SessionStatus.OPEN),
            "ended": (CoAAction.DISCONNECT, CoAResult.PENDING, SessionStatus.CLOSED),
            "answered": (CoAAction.DISCONNECT, CoAResult.ACK, SessionStatus.OPEN),
        }
        session.flush()
        # The table as of 0021: the model has columns added since (archived_month, 0026).
        session.execute(
            insert(SESSIONS_0021),
            [
                {
                    "router_id": router.id,
                    "site_id": router.site_id,
                    "acct_session_id": name,
                    "username": name,
                    "status": status.value,
                    "started_at": AT,
                    "updated_at": AT,
                    "session_time": 0,
                    "input_octets": 0,
                    "output_octets": 0,
                    "coa_action": action.value,
                    "coa_result": result.value,
                    "coa_at": AT,
                }
                for name, (action, result, status) in wanted.items()
            ],
        )
    schema.upgrade(engine)
    with sessions() as session:
        rows = {r.acct_session_id: r for r in session.scalars(select(AcctSession))}
        summary = {n: (r.coa_action, r.coa_result) for n, r in rows.items()}
        moved = session.scalars(select(RouterTask).order_by(RouterTask.session_id)).all()
        assert [(t.kind, t.state, t.session_id, t.next_attempt_at) for t in moved] == [
            (TaskKind.DISCONNECT, TaskState.QUEUED, rows[n].id, AT) for n in ("queued", "pending")
        ]
    engine.dispose()
    assert summary == {
        "queued": (CoAAction.DISCONNECT, CoAResult.QUEUED),
        "pending": (CoAAction.DISCONNECT, CoAResult.QUEUED),
        "throttle": (None, None),
        "ended": (CoAAction.DISCONNECT, CoAResult.TIMEOUT),
        "answered": (CoAAction.DISCONNECT, CoAResult.ACK),
    }
