"""A reused Acct-Session-Id: a router that was reset or replaced counts its session ids anew.
A Start after the session of that id ended is a new session whose usage counts; a late copy of
the old session's records still belongs to the old one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session
from wdtest.factories import make_batch, make_profile, make_router, make_site

from wifidesa.crypto import SecretBox
from wifidesa.db import schema
from wifidesa.db.models import AcctSession, SessionStatus, UsageDaily
from wifidesa.usage.accounting import record_accounting
from wifidesa.usage.records import AcctEvent, AcctRecord

T0 = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)
SID = "81a00001"


class Router:
    def __init__(self, session: Session, box: SecretBox) -> None:
        site = make_site(session)
        router = make_router(session, box, site=site)
        profile = make_profile(session)
        _, (self.code,) = make_batch(
            session=session, site_code=site.code, profile_name=profile.name, count=1
        )
        session.commit()
        self.session, self.box = session, box
        self.router_id, self.site_id = router.id, site.id

    def send(self, *records: tuple[AcctEvent, int, int]) -> None:
        """Records of SID in one batch: (event, minutes after T0, octets so far)."""
        batch = [
            AcctRecord(
                event=event,
                router_id=self.router_id,
                site_id=self.site_id,
                event_time=T0 + timedelta(minutes=minutes),
                acct_session_id=SID,
                username=self.code,
                output_octets=octets,
                session_time=60 if event is not AcctEvent.START else 0,
            )
            for event, minutes, octets in records
        ]
        record_accounting(session=self.session, records=batch, box=self.box, now=T0)
        self.session.commit()

    def sessions(self) -> list[tuple[int, SessionStatus, int]]:
        rows = self.session.scalars(select(AcctSession).order_by(AcctSession.generation))
        return [(r.generation, r.status, r.output_octets) for r in rows]

    def usage(self) -> int:
        return int(self.session.scalar(select(func.sum(UsageDaily.output_octets))) or 0)


START, INTERIM, STOP = AcctEvent.START, AcctEvent.INTERIM, AcctEvent.STOP


def test_a_start_after_the_stop_is_a_new_session_whose_usage_counts(
    session: Session, box: SecretBox
) -> None:
    router = Router(session, box)
    router.send((START, 0, 0))
    router.send((INTERIM, 5, 9000))
    router.send((STOP, 10, 10_000))
    # The router is reset and numbers its sessions from the start again.
    router.send((START, 30, 0))
    router.send((INTERIM, 35, 700))
    assert router.sessions() == [(0, SessionStatus.CLOSED, 10_000), (1, SessionStatus.OPEN, 700)]
    assert router.usage() == 10_700  # the new session's 700 count (they once counted nothing)


def test_late_copies_of_the_old_sessions_records_change_nothing(
    session: Session, box: SecretBox
) -> None:
    router = Router(session, box)
    router.send((START, 0, 0))
    router.send((STOP, 10, 10_000))
    router.send((START, 30, 0))
    router.send((INTERIM, 35, 700))
    # A late copy of the old Start (it happened before the old Stop), of the old Stop and of an
    # old interim; the new Start again (a retransmission): no third session, nothing closed.
    router.send((START, 0, 0), (STOP, 10, 10_000), (INTERIM, 5, 9000), (START, 30, 0))
    assert router.sessions() == [(0, SessionStatus.CLOSED, 10_000), (1, SessionStatus.OPEN, 700)]
    assert router.usage() == 10_700


def test_a_start_after_accounting_on_or_in_the_same_batch_is_a_new_session(
    session: Session, box: SecretBox
) -> None:
    router = Router(session, box)
    router.send((START, 0, 0), (INTERIM, 5, 500), (STOP, 10, 1000), (START, 20, 0))
    router.session.execute(  # what Accounting-On does to the router's open sessions
        AcctSession.__table__.update()
        .values(  # type: ignore[attr-defined]
            status=SessionStatus.LOST, stopped_at=T0 + timedelta(minutes=25)
        )
        .where(AcctSession.status == SessionStatus.OPEN)
    )
    router.send((START, 40, 0), (INTERIM, 45, 300))
    assert router.sessions() == [
        (0, SessionStatus.CLOSED, 1000),
        (1, SessionStatus.LOST, 0),
        (2, SessionStatus.OPEN, 300),
    ]
    assert router.usage() == 1300


def test_downgrading_keeps_every_generation(
    session: Session, box: SecretBox, engine: Engine
) -> None:
    router = Router(session, box)
    router.send((START, 0, 0), (STOP, 10, 1000), (START, 20, 0))
    session.close()
    schema.downgrade(engine, "0009")
    with engine.connect() as connection:
        ids = connection.execute(text("SELECT acct_session_id FROM sessions ORDER BY id"))
        # the older one renamed, the latest keeps the id that the router knows
        assert list(ids.scalars()) == [f"{SID}~0", SID]
    schema.upgrade(engine)
    assert schema.differences(engine) == []
