"""Site-day statistics recomputed from the stored sessions: the days that accounting touched,
recomputed as records arrive in any order (late, replayed), equal a full recomputation; so do
the devices' first days, the area-day sketches and sums and the site-month sums derived from
them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Executable, Row, select
from sqlalchemy.orm import Session
from wdtest.factories import make_router, make_site

from wifidesa.crypto import SecretBox
from wifidesa.db.models import (
    AcctSession,
    AreaDay,
    AreaDaySketch,
    AreaMonthSketch,
    Region,
    Site,
    SiteDay,
    SiteDevice,
    SiteMonth,
)
from wifidesa.db.models.statistics import HOURS, LENGTHS
from wifidesa.stats import hll
from wifidesa.stats.digests import digest, unpack
from wifidesa.stats.dirty import roll_up_dirty
from wifidesa.stats.rollup import (
    compute_site_days,
    length_counts,
    nearest_rank,
    recompute_site_days,
)
from wifidesa.stats.spans import local_days
from wifidesa.usage.accounting import record_accounting
from wifidesa.usage.records import AcctEvent, AcctRecord

WITA = "Asia/Makassar"
MONTH_END = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)  # 1 December 00:00 WITA
MB = 10**6


def _row(session: Session, site_id: int, day: date) -> SiteDay | None:
    return session.get(SiteDay, (site_id, day))


def _site(session: Session, box: SecretBox) -> tuple[int, int]:
    site = make_site(session)
    router = make_router(session, box, site=site)
    session.flush()
    return site.id, router.id


def _records(
    site_id: int, router_id: int, sid: str, start: datetime, minutes: int, mac: str
) -> list[AcctRecord]:
    """Start, an interim every 30 minutes and a Stop, with octets growing 1 MB a minute."""

    def record(event: AcctEvent, at: int) -> AcctRecord:
        return AcctRecord(
            event=event,
            router_id=router_id,
            site_id=site_id,
            event_time=start + timedelta(minutes=at),
            acct_session_id=sid,
            username="guest",
            mac=mac,
            session_time=at * 60,
            input_octets=at * MB // 4,
            output_octets=at * MB,
        )

    interims = [record(AcctEvent.INTERIM, at) for at in range(30, minutes, 30)]
    return [record(AcctEvent.START, 0), *interims, record(AcctEvent.STOP, minutes)]


def _spans(session: Session, router_id: int) -> dict[int, tuple[datetime, int]]:
    rows = session.execute(
        select(AcctSession.id, AcctSession.started_at, AcctSession.session_time).where(
            AcctSession.router_id == router_id
        )
    )
    return {row.id: (row.started_at, row.session_time) for row in rows}


def _first_days_from_sessions(session: Session, site_id: int) -> dict[int, date]:
    """Each device's first day, straight from its sessions: the earliest day one touches."""
    first: dict[int, date] = {}
    for row in session.execute(select(AcctSession).where(AcctSession.site_id == site_id)):
        value = digest(row.AcctSession.device_hash)
        day = local_days(
            started_at=row.AcctSession.started_at,
            seconds=row.AcctSession.session_time,
            zone=WITA,
        )[0]
        first[value] = min(day, first.get(value, day))
    return first


def _first_days(session: Session, site_id: int) -> dict[int, date]:
    rows = session.scalars(select(SiteDevice).where(SiteDevice.site_id == site_id))
    return {row.digest: row.first_day for row in rows}


def _sketches(session: Session) -> list[tuple[str, date, bytes]]:
    rows = session.scalars(
        select(AreaDaySketch).order_by(AreaDaySketch.area_code, AreaDaySketch.day)
    )
    return [(row.area_code, row.day, row.registers) for row in rows]


def _rows(session: Session, model: Any) -> list[dict[str, Any]]:
    """Every row of a table, by its key, as plain values."""
    table = model.__table__
    rows = session.scalars(select(model).order_by(*table.primary_key.columns))
    return [{c: getattr(r, c) for c in table.columns.keys()} for r in rows]  # noqa: SIM118


_SUMMED = ("sessions", "devices", "online_seconds", "input_octets", "output_octets")
_SUMMED += ("quota_accounts",)


def _sums_of_site_days(session: Session) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The area-days (province 64, kabupaten 64.03) and site-months summed straight from the
    stored site-days, as the two tables should hold them."""
    areas: dict[tuple[str, date], dict[str, Any]] = {}
    months: dict[tuple[int, date], dict[str, Any]] = {}
    query = select(SiteDay, Region.code).join(Site, Site.id == SiteDay.site_id)
    for site_day, code in session.execute(query.join(Region, Region.id == Site.region_id)):
        heard = site_day.last_heard is not None
        for area in ("64", "64.03"):
            assert code.startswith(f"{area}.")
            row = areas.setdefault(
                (area, site_day.day),
                {"area_code": area, "day": site_day.day, "sites_heard": 0}
                | dict.fromkeys((*_SUMMED, *HOURS, *LENGTHS), 0),
            )
            row["sites_heard"] += heard
            for name in (*_SUMMED, *HOURS):
                row[name] += getattr(site_day, name)
            for name in LENGTHS:
                row[name] += getattr(site_day, name) if heard else 0
        month = site_day.day.replace(day=1)
        row = months.setdefault(
            (site_day.site_id, month),
            {"site_id": site_day.site_id, "month": month, "days_heard": 0, "last_heard": None}
            | dict.fromkeys(_SUMMED, 0),
        )
        row["days_heard"] += heard
        if heard and (row["last_heard"] is None or site_day.last_heard > row["last_heard"]):
            row["last_heard"] = site_day.last_heard
        for name in _SUMMED:
            row[name] += getattr(site_day, name)
    return [areas[key] for key in sorted(areas)], [months[key] for key in sorted(months)]


def _table(session: Session, site_id: int) -> list[dict[str, Any]]:
    rows = session.scalars(select(SiteDay).where(SiteDay.site_id == site_id).order_by(SiteDay.day))
    return [{c: getattr(r, c) for c in SiteDay.__table__.columns.keys()} for r in rows]  # noqa: SIM118


def test_a_session_across_local_midnight_counts_on_both_days(
    session: Session, box: SecretBox
) -> None:
    site_id, router_id = _site(session, box)
    start = MONTH_END - timedelta(minutes=30)  # 30 November 23:30 WITA, an hour long
    batch = _records(site_id, router_id, "a1", start, 60, "AA:00:00:00:00:01")
    record_accounting(session=session, records=batch, box=box, now=start)
    days = [date(2026, 11, 30), date(2026, 12, 1)]
    assert recompute_site_days(session=session, site_days=[(site_id, d) for d in days]) == 2
    first, second = (_row(session, site_id, d) for d in days)
    assert first is not None and second is not None
    assert (first.sessions, second.sessions) == (1, 0)  # started on the first day
    assert (first.devices, second.devices) == (1, 1)
    assert (first.online_seconds, second.online_seconds) == (1800, 1800)
    assert (first.h23, second.h00, first.h00) == (1800, 1800, 0)
    assert first.output_octets + second.output_octets == 60 * MB
    assert first.output_octets == 30 * MB
    assert (first.session_p50, first.session_p90) == (3600, 3600)
    assert second.last_heard == first.last_heard == start + timedelta(minutes=60)


def test_sessions_of_days_before_are_read_only_if_they_last_into_the_day(
    session: Session, box: SecretBox
) -> None:
    site_id, router_id = _site(session, box)
    day_start = MONTH_END  # 1 December 00:00 WITA
    sessions = [  # (id, started before the day, minutes long)
        ("short-3-days-before", timedelta(days=3), 60),
        ("short-2-hours-before", timedelta(hours=2), 60),
        ("into-the-day-from-2-hours-before", timedelta(hours=2), 150),
        ("into-the-day-from-26-hours-before", timedelta(hours=26), 27 * 60),
        ("on-the-day", -timedelta(hours=1), 10),
    ]
    for n, (sid, before, minutes) in enumerate(sessions):
        start = day_start - before
        batch = _records(site_id, router_id, sid, start, minutes, f"AA:00:00:00:00:{n:02X}")
        record_accounting(session=session, records=batch, box=box, now=start)
    read: list[str] = []

    def fetch(query: Executable) -> list[Row[Any]]:
        rows = session.execute(query).all()
        ids = [row.id for row in rows if "session_time" in row._fields]  # sessions, not sites
        read.extend(
            session.scalars(select(AcctSession.acct_session_id).where(AcctSession.id.in_(ids)))
        )
        return list(rows)

    rows = compute_site_days(fetch=fetch, site_days=[(site_id, date(2026, 12, 1))])
    assert sorted(read) == sorted(sid for sid, *_ in sessions if not sid.startswith("short"))
    assert [row["devices"] for row in rows] == [3]  # the two reaching into it and the day's own
    assert rows[0]["online_seconds"] == 30 * 60 + 60 * 60 + 10 * 60


def test_a_day_without_sessions_loses_its_row(session: Session, box: SecretBox) -> None:
    site_id, _ = _site(session, box)
    session.add(
        SiteDay(
            site_id=site_id,
            day=date(2026, 12, 1),
            sessions=5,
            devices=5,
            online_seconds=1,
            input_octets=1,
            output_octets=1,
            session_p50=1,
            session_p90=1,
            **{f"h{h:02d}": 0 for h in range(24)},
        )
    )
    session.flush()
    assert recompute_site_days(session=session, site_days=[(site_id, date(2026, 12, 1))]) == 0
    assert _row(session, site_id, date(2026, 12, 1)) is None


def test_percentiles_are_actual_session_lengths() -> None:
    assert nearest_rank([], 0.5) == 0
    assert nearest_rank([10], 0.9) == 10
    assert nearest_rank(list(range(1, 11)), 0.5) == 5
    assert nearest_rank(list(range(1, 11)), 0.9) == 9


def test_session_lengths_fall_in_buckets_below_each_bound() -> None:
    # under a minute, exactly a minute (the next bucket), 1 h 6 min, a day and more
    assert length_counts([0, 59, 60, 3_960, 86_400, 604_800]) == [2, 1, 0, 0, 0, 1, 0, 0, 0, 2]
    assert sum(length_counts(range(0, 100_000, 7))) == len(range(0, 100_000, 7))


_SESSION = st.tuples(
    st.integers(min_value=-180, max_value=180),  # start, minutes from a month's last midnight
    st.integers(min_value=0, max_value=300),  # length in minutes
    st.integers(min_value=1, max_value=3),  # device
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    sessions=st.lists(_SESSION, min_size=1, max_size=4),
    order=st.randoms(use_true_random=False),
    batch_size=st.integers(min_value=1, max_value=6),
    replays=st.integers(min_value=0, max_value=3),
)
def test_days_recomputed_as_records_arrive_equal_a_full_recomputation(
    session: Session,
    box: SecretBox,
    sessions: list[tuple[int, int, int]],
    order: Any,
    batch_size: int,
    replays: int,
) -> None:
    """Records of sessions around a month's end in WITA arrive shuffled (late ones days after),
    in batches, some sent again; after each batch the job recomputes the days accounting marked,
    in rounds of a few marks. The table then equals the recomputation of every day."""
    site_id, router_id = _site(session, box)
    records = [
        record
        for n, (offset, minutes, device) in enumerate(sessions)
        for record in _records(
            site_id,
            router_id,
            f"s{n}",
            MONTH_END + timedelta(minutes=offset),
            minutes,
            f"AA:00:00:00:00:0{device}",
        )
    ]
    order.shuffle(records)
    records += [order.choice(records) for _ in range(replays)]  # resent after a lost answer
    for at in range(0, len(records), batch_size):
        batch = records[at : at + batch_size]
        record_accounting(session=session, records=batch, box=box, now=MONTH_END)
        while roll_up_dirty(session=session, page=order.randint(1, 3)):
            pass  # the job's rounds, over the days the batch marked
    incremental = _table(session, site_id)
    first_days = _first_days(session, site_id)
    sketches = _sketches(session)
    area_days, site_months = _rows(session, AreaDay), _rows(session, SiteMonth)
    month_sketches = _rows(session, AreaMonthSketch)
    everything = {
        d
        for span in _spans(session, router_id).values()
        for d in local_days(started_at=span[0], seconds=span[1], zone=WITA)
    }
    recompute_site_days(session=session, site_days=[(site_id, d) for d in everything])
    assert incremental == _table(session, site_id)
    total = sum(row["output_octets"] for row in incremental)
    assert total == sum(minutes * MB for _, minutes, _ in sessions)
    assert first_days == _first_days_from_sessions(session, site_id)
    assert sketches == _sketches(session)
    assert month_sketches == _rows(session, AreaMonthSketch)
    assert (area_days, site_months) == (_rows(session, AreaDay), _rows(session, SiteMonth))
    # ... and they are the sums of the site-days, of every site of the database.
    assert (area_days, site_months) == _sums_of_site_days(session)
    # The kabupaten and the province sketch the devices of each day at all their sites (the
    # examples share one database, each with a site of its own in 64.03).
    devices: dict[date, set[int]] = {}
    for row in session.execute(select(SiteDay.day, SiteDay.device_digests)):
        devices.setdefault(row.day, set()).update(unpack(row.device_digests))
    assert {(area, day) for area, day, _ in sketches} == {
        (area, day) for day, of_day in devices.items() if of_day for area in ("64", "64.03")
    }
    for _, day, registers in sketches:
        assert registers == hll.sketch(devices[day])
        assert round(hll.estimate(registers)) == len(devices[day])
    # ... and per calendar month, the devices of all its days.
    of_month: dict[tuple[str, date], set[int]] = {}
    for area, day, _ in sketches:
        of_month.setdefault((area, day.replace(day=1)), set()).update(devices[day])
    assert {(row["area_code"], row["month"]) for row in month_sketches} == set(of_month)
    for row in month_sketches:
        assert row["registers"] == hll.sketch(of_month[(row["area_code"], row["month"])])
    days = [row["day"] for row in incremental]
    new_by_day = [sum(1 for first in first_days.values() if first == day) for day in days]
    assert sum(new_by_day) == len(first_days) == len({device for _, _, device in sessions})
