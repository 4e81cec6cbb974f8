"""Login counts: counted in memory, appended by flushes, a failed flush loses nothing, days are
the site's local days, and merging the appended rows keeps every sum."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from wdtest.factories import make_site

from wifidesa.access.captive import PortalProblem
from wifidesa.access.logins import LoginDecision
from wifidesa.access.rules import RejectReason
from wifidesa.access.ways import LoginKind
from wifidesa.db.engine import WriterLock, make_engine, make_session_factory, transaction
from wifidesa.db.models import LoginCount, Site
from wifidesa.stats.logins import (
    LoginCounter,
    LoginTotal,
    login_counts,
    logins_by_site,
    merge_site_days,
    outcome_of,
    portal_outcome,
    site_days_to_merge,
)

WITA = "Asia/Makassar"
MIDNIGHT = datetime(2026, 3, 31, 16, 0, tzinfo=UTC)  # 1 April 00:00 WITA
MARCH_31, APRIL_1 = date(2026, 3, 31), date(2026, 4, 1)
VOUCHER, WRONG = "accepted:voucher", "refused:bad_credentials"


def _sites(sessions: sessionmaker[Session], count: int) -> list[int]:
    with transaction(sessions) as session:
        sites = [make_site(session) for _ in range(count)]
        session.flush()
        return [site.id for site in sites]


def _rows(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count()).select_from(LoginCount)) or 0)


def _totals(sessions: sessionmaker[Session], site_ids: list[int]) -> list[LoginTotal]:
    with sessions() as session:
        return login_counts(session=session, site_ids=site_ids, first=MARCH_31, last=APRIL_1)


def test_an_outcome_is_the_kind_of_an_accepted_login_or_the_reason_of_a_refusal() -> None:
    accepted = LoginDecision(accepted=True, account_id=1, kind=LoginKind.REMEMBERED_DEVICE)
    refused = LoginDecision(accepted=False, reason=RejectReason.QUOTA_EXCEEDED)
    assert outcome_of(accepted) == "accepted:remembered_device"
    assert outcome_of(refused) == "refused:quota_exceeded"


def test_a_portal_refusal_counts_under_the_reason_radius_would_give() -> None:
    assert portal_outcome(PortalProblem.WRONG_CODE) == WRONG
    assert portal_outcome(PortalProblem.WRONG_PASSWORD) == WRONG
    assert portal_outcome(PortalProblem.EXPIRED) == "refused:expired"
    assert portal_outcome(PortalProblem.OTHER_SITE) == "refused:other_site"
    # No village to count for, no login tried, or the same villager again while blocked.
    for problem in (
        PortalProblem.UNKNOWN_ROUTER,
        PortalProblem.BAD_LINK,
        PortalProblem.FREE_CLOSED,
        PortalProblem.TOO_MANY_ATTEMPTS,
    ):
        assert portal_outcome(problem) is None


def test_a_flush_through_an_engine_that_locks_by_itself_takes_no_lock_of_its_own(
    sessions: sessionmaker[Session],
) -> None:
    (site_id,) = _sites(sessions, 1)
    counter = LoginCounter()
    counter.add(site_id=site_id, zone=WITA, at=MIDNIGHT, outcome=WRONG)
    assert counter.flush(sessions=sessions, lock=None) == 1
    assert _totals(sessions, [site_id]) == [LoginTotal(site_id, APRIL_1, WRONG, 1)]


def test_logins_count_on_the_sites_local_day_from_local_midnight(
    sessions: sessionmaker[Session], db_url: str
) -> None:
    (site_id,) = _sites(sessions, 1)
    counter = LoginCounter()
    for at in (MIDNIGHT - timedelta(seconds=1), MIDNIGHT, MIDNIGHT + timedelta(hours=7)):
        counter.add(site_id=site_id, zone=WITA, at=at, outcome=VOUCHER)
    assert counter.flush(sessions=sessions, lock=WriterLock(db_url)) == 3
    assert _totals(sessions, [site_id]) == [
        LoginTotal(site_id, MARCH_31, VOUCHER, 1),  # 23:59:59 WITA
        LoginTotal(site_id, APRIL_1, VOUCHER, 2),  # 16:00 UTC is already 1 April in WITA
    ]


def test_each_flush_appends_rows_and_the_read_side_sums_them(
    sessions: sessionmaker[Session], db_url: str
) -> None:
    site_a, site_b = _sites(sessions, 2)
    counter, lock = LoginCounter(), WriterLock(db_url)
    for _ in range(3):
        counter.add(site_id=site_a, zone=WITA, at=MIDNIGHT, outcome=VOUCHER)
    counter.add(site_id=site_b, zone=WITA, at=MIDNIGHT, outcome=WRONG)
    assert counter.flush(sessions=sessions, lock=lock) == 4
    assert counter.pending() == {}
    assert counter.flush(sessions=sessions, lock=lock) == 0  # nothing counted: no row
    assert _rows(sessions) == 2
    counter.add(site_id=site_a, zone=WITA, at=MIDNIGHT, outcome=VOUCHER)
    assert counter.flush(sessions=sessions, lock=lock) == 1
    assert _rows(sessions) == 3  # appended, not added onto the earlier row
    assert _totals(sessions, [site_a, site_b]) == [
        LoginTotal(site_a, APRIL_1, VOUCHER, 4),
        LoginTotal(site_b, APRIL_1, WRONG, 1),
    ]
    assert _totals(sessions, [site_b]) == [LoginTotal(site_b, APRIL_1, WRONG, 1)]
    with sessions() as session:
        assert login_counts(session=session, site_ids=[site_a], first=MARCH_31, last=MARCH_31) == []


def test_a_failed_flush_keeps_its_counts_for_the_next(
    sessions: sessionmaker[Session], db_url: str, tmp_path: Path
) -> None:
    (site_id,) = _sites(sessions, 1)
    counter, lock = LoginCounter(), WriterLock(db_url)
    counter.add(site_id=site_id, zone=WITA, at=MIDNIGHT, outcome=VOUCHER)
    unreachable = make_engine(f"sqlite:///{tmp_path / 'no-such-folder' / 'wifidesa.db'}")
    try:
        with pytest.raises(OperationalError):
            counter.flush(sessions=make_session_factory(unreachable), lock=lock)
    finally:
        unreachable.dispose()
    assert counter.pending() == {(site_id, APRIL_1, VOUCHER): 1}
    counter.add(site_id=site_id, zone=WITA, at=MIDNIGHT, outcome=VOUCHER)
    assert counter.flush(sessions=sessions, lock=lock) == 2
    assert _totals(sessions, [site_id]) == [LoginTotal(site_id, APRIL_1, VOUCHER, 2)]


def test_counts_of_a_deleted_site_are_dropped_and_the_rest_stored(
    sessions: sessionmaker[Session], db_url: str
) -> None:
    kept, deleted = _sites(sessions, 2)
    counter = LoginCounter()
    for site_id in (kept, deleted):
        counter.add(site_id=site_id, zone=WITA, at=MIDNIGHT, outcome=WRONG)
    with transaction(sessions) as session:
        site = session.get(Site, deleted)
        assert site is not None
        session.delete(site)
    assert counter.flush(sessions=sessions, lock=WriterLock(db_url)) == 1
    assert counter.pending() == {}  # not kept to fail every later flush
    assert _totals(sessions, [kept, deleted]) == [LoginTotal(kept, APRIL_1, WRONG, 1)]


def test_merging_leaves_one_row_per_outcome_with_the_same_sums(
    sessions: sessionmaker[Session], db_url: str
) -> None:
    site_a, site_b = _sites(sessions, 2)
    counter, lock = LoginCounter(), WriterLock(db_url)
    for flush in range(4):  # four intervals of a worker, on both sides of midnight
        at = MIDNIGHT + timedelta(seconds=60 * flush - 120)
        for _ in range(flush + 1):
            counter.add(site_id=site_a, zone=WITA, at=at, outcome=VOUCHER)
        counter.add(site_id=site_a, zone=WITA, at=at, outcome=WRONG)
        if flush == 0:  # site B: one row only, nothing to merge
            counter.add(site_id=site_b, zone=WITA, at=at, outcome=WRONG)
        # ...and site B's counts of a day before the merge looks (a flush after an outage).
        counter.add(site_id=site_b, zone=WITA, at=MIDNIGHT - timedelta(days=2), outcome=WRONG)
        counter.flush(sessions=sessions, lock=lock)
    before = _totals(sessions, [site_a, site_b])
    assert _rows(sessions) == 9 + 4
    with sessions() as session:
        site_days = site_days_to_merge(session=session, since=MARCH_31)
    assert site_days == [(site_a, MARCH_31), (site_a, APRIL_1)]
    with transaction(sessions) as session:
        assert merge_site_days(session=session, site_days=site_days) == 4
    assert _totals(sessions, [site_a, site_b]) == before
    assert before == [
        LoginTotal(site_a, MARCH_31, VOUCHER, 1 + 2),
        LoginTotal(site_a, MARCH_31, WRONG, 2),
        LoginTotal(site_a, APRIL_1, VOUCHER, 3 + 4),
        LoginTotal(site_a, APRIL_1, WRONG, 2),
        LoginTotal(site_b, MARCH_31, WRONG, 1),
    ]
    assert _rows(sessions) == 5 + 4
    with sessions() as session:
        assert site_days_to_merge(session=session, since=MARCH_31) == []
        assert site_days_to_merge(session=session, since=MARCH_31 - timedelta(days=1)) == [
            (site_b, MARCH_31 - timedelta(days=1))
        ]


def test_a_flush_in_chunks_keeps_the_chunks_not_stored_when_one_fails(
    engine: Engine, sessions: sessionmaker[Session], db_url: str
) -> None:
    site_ids = _sites(sessions, 3)
    counter, lock = LoginCounter(), WriterLock(db_url)
    for site_id in site_ids:
        counter.add(site_id=site_id, zone=WITA, at=MIDNIGHT, outcome=WRONG)
    inserts: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def fail_the_second(connection: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.startswith("INSERT INTO stats_login_counts"):
            inserts.append(statement)
            if len(inserts) == 2:
                raise RuntimeError("the database went away")

    try:
        with pytest.raises(RuntimeError):
            counter.flush(sessions=sessions, lock=lock, chunk=1)
    finally:
        event.remove(engine, "before_cursor_execute", fail_the_second)
    # The first site's row is stored; the second (failed) and third (not tried) wait.
    assert counter.pending() == {(site_id, APRIL_1, WRONG): 1 for site_id in site_ids[1:]}
    assert _totals(sessions, site_ids) == [LoginTotal(site_ids[0], APRIL_1, WRONG, 1)]
    assert counter.flush(sessions=sessions, lock=lock, chunk=1) == 2
    assert _totals(sessions, site_ids) == [LoginTotal(s, APRIL_1, WRONG, 1) for s in site_ids]


def test_logins_by_site_sum_every_day_and_row_of_the_period_per_outcome(
    sessions: sessionmaker[Session], db_url: str
) -> None:
    here, there = _sites(sessions, 2)
    counter, lock = LoginCounter(), WriterLock(db_url)
    for flush in range(3):  # rows of three flushes, over three local days
        for days in range(3):
            at = MIDNIGHT + timedelta(days=days - 1, minutes=flush)
            counter.add(site_id=here, zone=WITA, at=at, outcome=VOUCHER)
            counter.add(site_id=there, zone=WITA, at=at, outcome=WRONG)
        counter.add(site_id=here, zone=WITA, at=MIDNIGHT, outcome=WRONG)
        counter.flush(sessions=sessions, lock=lock)
    with sessions() as session:
        both = [here, there]
        found = logins_by_site(session=session, site_ids=both, first=MARCH_31, last=APRIL_1)
        only_here = logins_by_site(session=session, site_ids=[here], first=APRIL_1, last=APRIL_1)
    # 2 April is outside the period; each of the other days: three flushes, one row each.
    assert found == {(here, VOUCHER): 6, (here, WRONG): 3, (there, WRONG): 6}
    assert only_here == {(here, VOUCHER): 3, (here, WRONG): 3}
