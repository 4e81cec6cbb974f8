"""The accounting merge, as properties: whatever order and however often the router's cumulative
counters arrive, the session ends at the largest totals and usage grows by exactly that."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, inspect, select, text
from sqlalchemy.dialects.postgresql.psycopg import dialect as psycopg_dialect
from sqlalchemy.orm import Session
from wdtest.factories import make_batch, make_profile, make_router, make_site

from wifidesa.access.logins import account_class, account_from_class, throttled_in_class
from wifidesa.crypto import SecretBox
from wifidesa.db import bulk, pg_bulk
from wifidesa.db.models import AcctSession, SessionStatus, Site, UsageDaily, Voucher
from wifidesa.usage.accounting import INTERIM_COLUMNS, record_accounting
from wifidesa.usage.records import AcctEvent, AcctRecord
from wifidesa.usage.session_rows import ROWS_OF_IDS, ROWS_OF_ROUTER
from wifidesa.usage.upkeep import reap_silent_sessions

T0 = datetime(2026, 1, 31, 15, 0, tzinfo=UTC)  # 23:00 WITA on the last day of January
_sid = itertools.count()

# Cumulative counters (up to 2^40: past the 32-bit octet counters) at increasing times.
steps = st.lists(
    st.tuples(st.integers(0, 1 << 36), st.integers(0, 1 << 36), st.integers(1, 900)),
    min_size=1,
    max_size=8,
)


def _setup(session: Session, box: SecretBox) -> tuple[int, int, str]:
    site = make_site(session)
    router = make_router(session, box, site=site)
    profile = make_profile(session)
    _, (code,) = make_batch(
        session=session, site_code=site.code, profile_name=profile.name, count=1
    )
    session.commit()
    return router.id, site.id, code


def _usage(session: Session) -> tuple[int, int, int]:
    row = session.execute(
        select(
            func.coalesce(func.sum(UsageDaily.input_octets), 0),
            func.coalesce(func.sum(UsageDaily.output_octets), 0),
            func.coalesce(func.sum(UsageDaily.session_seconds), 0),
        )
    ).one()
    return int(row[0]), int(row[1]), int(row[2])


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(increments=steps, data=st.data())
def test_any_order_and_any_replay_end_at_the_largest_totals(
    session: Session, box: SecretBox, increments: list[tuple[int, int, int]], data: st.DataObject
) -> None:
    if not session.info.get("ids"):
        session.info["ids"] = _setup(session, box)
    router_id, site_id, code = session.info["ids"]
    sid = f"s{next(_sid)}"
    totals, records, when = [0, 0, 0], [], T0
    for din, dout, dt in increments:
        totals = [totals[0] + din, totals[1] + dout, totals[2] + dt]
        when += timedelta(seconds=dt)
        records.append(
            AcctRecord(
                event=AcctEvent.INTERIM,
                router_id=router_id,
                site_id=site_id,
                event_time=when,
                acct_session_id=sid,
                username=code,
                input_octets=totals[0],
                output_octets=totals[1],
                session_time=totals[2],
            )
        )
    # Deliver in any order, some twice or three times, in batches of any size.
    delivered = data.draw(
        st.permutations(records + data.draw(st.lists(st.sampled_from(records), max_size=6)))
    )
    cut = data.draw(st.integers(0, len(delivered)))
    before = _usage(session)
    for batch in (delivered[:cut], delivered[cut:]):
        record_accounting(session=session, records=batch, box=box, now=when)
        session.commit()
    row = session.scalars(select(AcctSession).where(AcctSession.acct_session_id == sid)).one()
    assert (row.input_octets, row.output_octets, row.session_time) == tuple(totals)
    after = _usage(session)
    assert tuple(a - b for a, b in zip(after, before, strict=True)) == tuple(totals)
    assert row.status is SessionStatus.OPEN


def test_stop_closes_and_a_later_start_does_not_reopen(session: Session, box: SecretBox) -> None:
    router_id, site_id, code = _setup(session, box)

    def rec(event: AcctEvent, minutes: int, octets: int = 0) -> AcctRecord:
        return AcctRecord(
            event=event,
            router_id=router_id,
            site_id=site_id,
            event_time=T0 + timedelta(minutes=minutes),
            acct_session_id="a1",
            username=code,
            output_octets=octets,
            session_time=minutes * 60,
        )

    record_accounting(session=session, records=[rec(AcctEvent.STOP, 10, 500)], box=box, now=T0)
    record_accounting(session=session, records=[rec(AcctEvent.START, 0)], box=box, now=T0)
    record_accounting(session=session, records=[rec(AcctEvent.INTERIM, 5, 100)], box=box, now=T0)
    row = session.scalars(select(AcctSession)).one()
    assert row.status is SessionStatus.CLOSED and row.output_octets == 500
    assert row.started_at == T0  # from the Stop: event time minus session time


def test_reaper_uses_each_sessions_own_interval(session: Session, box: SecretBox) -> None:
    router_id, site_id, code = _setup(session, box)
    record_accounting(
        session=session,
        box=box,
        now=T0,
        records=[
            AcctRecord(
                event=AcctEvent.START,
                router_id=router_id,
                site_id=site_id,
                event_time=T0,
                acct_session_id="r1",
                username=code,
            ),
            AcctRecord(
                event=AcctEvent.START,
                router_id=router_id,
                site_id=site_id,
                event_time=T0,
                acct_session_id="r2",
                username="unknown-user",
            ),  # default 300 s
        ],
    )
    session.execute(
        AcctSession.__table__.update()
        .where(  # type: ignore[attr-defined]
            AcctSession.acct_session_id == "r1"
        )
        .values(interim_interval=60)
    )
    assert reap_silent_sessions(session=session, now=T0 + timedelta(seconds=181)) == 1
    assert reap_silent_sessions(session=session, now=T0 + timedelta(seconds=899)) == 0
    assert reap_silent_sessions(session=session, now=T0 + timedelta(seconds=901)) == 1


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(a=steps, b=steps, data=st.data())
def test_concurrent_sessions_of_one_account_add_up(
    session: Session,
    box: SecretBox,
    a: list[tuple[int, int, int]],
    b: list[tuple[int, int, int]],
    data: st.DataObject,
) -> None:
    if not session.info.get("ids"):
        session.info["ids"] = _setup(session, box)
    router_id, site_id, code = session.info["ids"]
    streams, finals = [], []
    for steps_, mac in ((a, "AA:00:00:00:00:01"), (b, "AA:00:00:00:00:02")):
        sid, totals, records = f"c{next(_sid)}", [0, 0, 0], []
        for din, dout, dt in steps_:
            totals = [totals[0] + din, totals[1] + dout, totals[2] + dt]
            records.append(
                AcctRecord(
                    event=AcctEvent.INTERIM,
                    router_id=router_id,
                    site_id=site_id,
                    event_time=T0,
                    acct_session_id=sid,
                    username=code,
                    mac=mac,
                    input_octets=totals[0],
                    output_octets=totals[1],
                    session_time=totals[2],
                )
            )
        streams.append(records)
        finals.append(totals)
    merged = data.draw(st.permutations(streams[0] + streams[1]))
    before = _usage(session)
    for record in merged:
        record_accounting(session=session, records=[record], box=box, now=T0)
    session.commit()
    after = _usage(session)
    assert tuple(x - y for x, y in zip(after, before, strict=True)) == tuple(
        f0 + f1 for f0, f1 in zip(finals[0], finals[1], strict=True)
    )


def test_an_interim_update_changes_no_indexed_column(session: Session, box: SecretBox) -> None:
    """Interims are most of the accounting: they must rewrite the row only, no index entry,
    so that PostgreSQL updates the row in place (HOT) and SQLite leaves every index alone."""
    table = AcctSession.__table__.name
    inspector = inspect(session.connection())
    indexed = {c for i in inspector.get_indexes(table) for c in i["column_names"]}
    indexed |= {c for u in inspector.get_unique_constraints(table) for c in u["column_names"]}
    assert indexed  # the inspection found the indexes
    assert indexed.isdisjoint(INTERIM_COLUMNS), indexed & set(INTERIM_COLUMNS)

    router_id, site_id, code = _setup(session, box)

    def rec(event: AcctEvent, minutes: int) -> AcctRecord:
        return AcctRecord(
            event=event,
            router_id=router_id,
            site_id=site_id,
            event_time=T0 + timedelta(minutes=minutes),
            acct_session_id="hot1",
            username=code,
            output_octets=minutes * 1000,
            session_time=minutes * 60,
        )

    record_accounting(session=session, records=[rec(AcctEvent.START, 0)], box=box, now=T0)
    session.commit()
    for minutes in (5, 10, 15):
        record_accounting(
            session=session, records=[rec(AcctEvent.INTERIM, minutes)], box=box, now=T0
        )
    if session.get_bind().dialect.name == "postgresql":
        updated, in_place = session.execute(
            text(
                "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables"
                " WHERE relname = 'sessions_live'"  # the live partition (usage/archive.py)
            )
        ).one()
        assert (updated, in_place) == (3, 3)
        options = session.execute(
            text(
                "SELECT reloptions FROM pg_class"
                " WHERE relname IN ('sessions_live', 'usage_daily') ORDER BY relname"
            )
        ).scalars()
        assert list(options) == [["fillfactor=70"], ["fillfactor=70"]]
    row = session.scalars(select(AcctSession)).one()
    assert (row.output_octets, row.session_time) == (15_000, 900)


def test_a_batch_finds_its_sessions_through_the_index(session: Session, box: SecretBox) -> None:
    """Thin statistics (a new table, a new router) must not turn the lookup of a batch's
    sessions into a read of every session of the router."""
    router_id, site_id, code = _setup(session, box)
    starts = [
        AcctRecord(
            event=AcctEvent.START,
            router_id=router_id,
            site_id=site_id,
            event_time=T0,
            acct_session_id=f"idx{n:05d}",
            username=code,
        )
        for n in range(3000)
    ]
    record_accounting(session=session, records=starts, box=box, now=T0)
    session.commit()
    some = [f"idx{n:05d}" for n in range(0, 3000, 97)]
    dialect = session.get_bind().dialect
    if dialect.name == "postgresql":
        # Planned with the values, as the RADIUS worker's engine does (db.make_engine's
        # custom_plans: a generic plan made while the table was small goes on scanning it).
        positional = psycopg_dialect(paramstyle="numeric_dollar")
        session.execute(text(f"PREPARE batch_rows AS {ROWS_OF_ROUTER.compile(dialect=positional)}"))
        session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
        ids = ", ".join(f"'{i}'" for i in some)  # EXPLAIN EXECUTE takes no parameters
        execute = f"EXPLAIN EXECUTE batch_rows({router_id}, ARRAY[{ids}])"
        plan = [line for (line,) in session.execute(text(execute))]
        conditions = [line for line in plan if "Index Cond" in line]
        assert conditions and all("acct_session_id" in line for line in conditions), plan
        assert not any("Filter" in line for line in plan), plan
        session.execute(text("DEALLOCATE batch_rows"))
    else:
        query = ROWS_OF_IDS.params(ids=some)
        sql = str(query.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
        plan = [row[-1] for row in session.execute(text("EXPLAIN QUERY PLAN " + sql))]
        assert any("USING INDEX" in line and "(acct_session_id=?)" in line for line in plan), plan


def test_batches_that_start_sessions_add_no_cached_plans(session: Session, box: SecretBox) -> None:
    """The accounting worker runs for months: every batch starting a session once added a
    compiled plan (keyed on a statement built anew per batch), and the worker grew steadily."""
    router_id, site_id, code = _setup(session, box)

    def batch(n: int) -> None:
        # a new session, and an interim of the one started before
        records = [
            AcctRecord(
                event=event,
                router_id=router_id,
                site_id=site_id,
                event_time=T0 + timedelta(minutes=n),
                acct_session_id=f"leak{sid}",
                username=code,
                mac=f"AA:00:00:00:00:{sid % 256:02X}",
                output_octets=n,
            )
            for event, sid in ((AcctEvent.START, n), (AcctEvent.INTERIM, n - 1))
        ]
        record_accounting(session=session, records=records, box=box, now=T0)
        session.commit()

    def cached() -> tuple[int, ...]:
        return (
            len(bulk._PLANS),
            pg_bulk.insert_plan.cache_info().currsize,
            pg_bulk.update_plan.cache_info().currsize,
            len(session.get_bind().engine._compiled_cache or ()),  # type: ignore[union-attr]
        )

    for n in range(1, 4):
        batch(n)
    before = cached()
    for n in range(4, 40):
        batch(n)
    assert cached() == before


def test_a_session_accepted_throttled_is_stored_throttled_from_its_start(
    session: Session, box: SecretBox
) -> None:
    """Our Class says the login was accepted at the throttle rate: the session is throttled
    from its Start (the quota's reset restores it), but only for the account the Class names."""
    router_id, site_id, code = _setup(session, box)
    account_id = session.scalar(select(Voucher.account_id).where(Voucher.code == code))
    assert account_id is not None

    def start(sid: str, *, cls: bytes) -> None:
        record = packets_record(router_id, site_id, sid, code, cls)
        record_accounting(session=session, records=[record], box=box, now=T0)

    start("slow", cls=account_class(account_id, throttled=True))
    start("fast", cls=account_class(account_id))
    start("other", cls=account_class(account_id + 1000, throttled=True))  # not this account's
    rows = session.execute(select(AcctSession.acct_session_id, AcctSession.throttled))
    throttled = {row.acct_session_id: row.throttled for row in rows}
    assert throttled == {"slow": True, "fast": False, "other": False}


def packets_record(router_id: int, site_id: int, sid: str, code: str, cls: bytes) -> AcctRecord:
    return AcctRecord(
        event=AcctEvent.START,
        router_id=router_id,
        site_id=site_id,
        event_time=T0,
        acct_session_id=sid,
        username=code,
        account_id=account_from_class(cls),
        throttled=throttled_in_class(cls),
    )


def test_routers_numbering_their_sessions_alike_keep_apart_in_one_batch(
    session: Session, box: SecretBox
) -> None:
    """RouterOS counts its Acct-Session-Ids from the same start on every router: a batch holds
    records of several routers with the same id, each for its own router's session."""
    first_id, site_id, code = _setup(session, box)
    second_id = make_router(session, box, site=session.get(Site, site_id)).id
    session.commit()

    def record(router_id: int, event: AcctEvent, minutes: int, octets: int) -> AcctRecord:
        return AcctRecord(
            event=event,
            router_id=router_id,
            site_id=site_id,
            event_time=T0 + timedelta(minutes=minutes),
            acct_session_id="81a00001",
            username=code,
            session_time=minutes * 60,
            output_octets=octets,
        )

    starts = [record(first_id, AcctEvent.START, 0, 0), record(second_id, AcctEvent.START, 0, 0)]
    record_accounting(session=session, records=starts, box=box, now=T0)
    interims = [
        record(first_id, AcctEvent.INTERIM, 5, 1_000),
        record(second_id, AcctEvent.INTERIM, 5, 7_000),
    ]
    record_accounting(session=session, records=interims, box=box, now=T0)
    session.commit()
    stored = session.execute(
        select(AcctSession.router_id, AcctSession.output_octets).order_by(AcctSession.router_id)
    ).all()
    assert [tuple(row) for row in stored] == [(first_id, 1_000), (second_id, 7_000)]
