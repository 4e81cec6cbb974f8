"""Accounting marks the site-days its sessions touch; the rollup job recomputes them and
deletes the marks it read, and only those."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session
from wdtest.factories import make_router, make_site

from wifidesa.crypto import SecretBox
from wifidesa.db.models import DirtyDay, SiteDay
from wifidesa.stats.dirty import mark_days, read_round, roll_up_dirty, write_round
from wifidesa.stats.rollup import fetch_in
from wifidesa.usage.accounting import record_accounting
from wifidesa.usage.records import AcctEvent, AcctRecord

MIDNIGHT = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)  # 1 December 00:00 WITA
NOV_30, DEC_1 = date(2026, 11, 30), date(2026, 12, 1)


def _marks(session: Session) -> list[tuple[int, date]]:
    rows = session.execute(select(DirtyDay.site_id, DirtyDay.day).order_by(DirtyDay.id))
    return [(row.site_id, row.day) for row in rows]


def test_accounting_marks_each_day_its_session_touches(session: Session, box: SecretBox) -> None:
    site = make_site(session)
    router = make_router(session, box, site=site)
    session.flush()
    start = MIDNIGHT - timedelta(minutes=10)
    interim = AcctRecord(
        event=AcctEvent.INTERIM,
        router_id=router.id,
        site_id=site.id,
        event_time=start + timedelta(minutes=20),
        acct_session_id="81a00001",
        username="guest",
        session_time=20 * 60,
        output_octets=10**6,
    )
    record_accounting(session=session, records=[interim], box=box, now=start)
    assert sorted(_marks(session)) == [(site.id, NOV_30), (site.id, DEC_1)]
    assert roll_up_dirty(session=session) == 2
    assert _marks(session) == []
    rows = session.scalars(select(SiteDay).order_by(SiteDay.day)).all()
    assert [(r.day, r.online_seconds) for r in rows] == [(NOV_30, 600), (DEC_1, 600)]
    assert roll_up_dirty(session=session) == 0


def test_a_round_takes_every_mark_present_and_computes_each_day_once(session: Session) -> None:
    site = make_site(session)
    session.flush()
    for _ in range(3):
        mark_days(session=session, site_days=[(site.id, NOV_30), (site.id, DEC_1)])
    assert roll_up_dirty(session=session, page=4) == 2  # two pages of marks, two site-days
    assert _marks(session) == []


def test_a_round_deletes_only_the_marks_it_read(session: Session) -> None:
    """A mark that commits after the round read the marks stays, even with an id below the
    ones read (PostgreSQL hands out ids before commit)."""
    site = make_site(session)
    session.flush()
    session.execute(
        insert(DirtyDay),
        [
            {"id": 1, "site_id": site.id, "day": NOV_30},
            {"id": 3, "site_id": site.id, "day": NOV_30},
        ],
    )
    round_ = read_round(fetch=fetch_in(session))
    assert round_ is not None
    assert round_.mark_ranges == [(1, 1), (3, 3)]
    session.execute(insert(DirtyDay), [{"id": 2, "site_id": site.id, "day": DEC_1}])
    write_round(session=session, round_=round_)
    assert _marks(session) == [(site.id, DEC_1)]
    assert roll_up_dirty(session=session) == 1
    assert session.scalar(select(func.count()).select_from(DirtyDay)) == 0
