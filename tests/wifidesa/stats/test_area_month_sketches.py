"""Area-month sketches: a kabupaten's and the province's month sketch counts the devices of
all the month's days, late accounting updates it, and a period's sketch takes whole months
from them and the other days from the day sketches."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from wdtest.factories import make_router, make_site

from wifidesa.crypto import SecretBox
from wifidesa.db.models import AreaDaySketch, AreaMonthSketch, Router
from wifidesa.stats import hll
from wifidesa.stats.area_month_sketches import period_sketch
from wifidesa.stats.dirty import roll_up_dirty
from wifidesa.usage.accounting import record_accounting
from wifidesa.usage.records import AcctEvent, AcctRecord

NOW = datetime(2027, 1, 20, 2, 0, tzinfo=UTC)


def _online(session: Session, box: SecretBox, router: Router, day: date, macs: range) -> None:
    """Each device online for ten minutes at 10:00 WITA of `day`."""
    at = datetime(day.year, day.month, day.day, 2, 10, tzinfo=UTC)
    records = [
        AcctRecord(
            event=AcctEvent.STOP,
            router_id=router.id,
            site_id=router.site_id,
            event_time=at,
            acct_session_id=f"{router.id}-{day}-{n}",
            username="guest",
            mac=f"02:00:00:00:00:{n:02X}",
            session_time=600,
        )
        for n in macs
    ]
    record_accounting(session=session, records=records, box=box, now=NOW)
    while roll_up_dirty(session=session):
        pass


def _month(session: Session, area: str, month: date) -> int:
    found = session.get(AreaMonthSketch, (area, month))
    assert found is not None
    return round(hll.estimate(found.registers))


def test_a_months_sketch_counts_each_device_of_its_days_once(
    session: Session, box: SecretBox
) -> None:
    kutai_kartanegara = make_router(session, box, site=make_site(session))
    kutai_barat = make_router(session, box, site=make_site(session, kabupaten="64.02"))
    session.flush()
    _online(session, box, kutai_kartanegara, date(2026, 12, 1), range(30))
    _online(session, box, kutai_kartanegara, date(2026, 12, 2), range(20, 40))
    _online(session, box, kutai_barat, date(2026, 12, 31), range(35, 45))
    _online(session, box, kutai_barat, date(2027, 1, 1), range(100, 110))
    december, january = date(2026, 12, 1), date(2027, 1, 1)
    assert _month(session, "64.03", december) == 40
    assert _month(session, "64.02", december) == 10
    assert _month(session, "64", december) == 45  # 35..39 at both sites: one device each
    assert _month(session, "64", january) == 10
    assert session.get(AreaMonthSketch, ("64.03", january)) is None  # no device there


def test_late_accounting_lands_in_its_months_sketch(session: Session, box: SecretBox) -> None:
    router = make_router(session, box, site=make_site(session))
    session.flush()
    _online(session, box, router, date(2026, 12, 10), range(10))
    assert _month(session, "64.03", date(2026, 12, 1)) == 10
    _online(session, box, router, date(2026, 12, 3), range(5, 25))  # after a satellite outage
    assert _month(session, "64.03", date(2026, 12, 1)) == 25
    days = session.scalars(
        select(AreaDaySketch.registers).where(
            AreaDaySketch.area_code == "64.03", AreaDaySketch.day >= date(2026, 12, 1)
        )
    ).all()
    month = session.get(AreaMonthSketch, ("64.03", date(2026, 12, 1)))
    assert month is not None and month.registers == hll.merge(list(days))


def test_a_periods_sketch_takes_whole_months_from_the_month_sketches(
    session: Session, box: SecretBox
) -> None:
    router = make_router(session, box, site=make_site(session))
    session.flush()
    for day, macs in [
        (date(2026, 11, 19), range(10)),  # the day before the period
        (date(2026, 11, 25), range(10, 20)),
        (date(2026, 12, 1), range(20, 30)),
        (date(2026, 12, 31), range(25, 40)),
        (date(2027, 1, 5), range(40, 50)),
        (date(2027, 1, 11), range(50, 60)),  # the day after
    ]:
        _online(session, box, router, day, macs)
    first, last = date(2026, 11, 20), date(2027, 1, 10)
    days = session.scalars(
        select(AreaDaySketch.registers).where(
            AreaDaySketch.area_code == "64", AreaDaySketch.day >= first, AreaDaySketch.day <= last
        )
    ).all()
    found = period_sketch(session=session, area="64", first=first, last=last)
    assert found == hll.merge(list(days))
    assert round(hll.estimate(found)) == 40
    # December, the one whole month, is read from its month sketch, not from its days.
    session.execute(delete(AreaDaySketch).where(AreaDaySketch.day.between(first, last)))
    only_december = period_sketch(session=session, area="64", first=first, last=last)
    assert round(hll.estimate(only_december)) == 20
    within = period_sketch(session=session, area="64", first=date(2026, 12, 2), last=last)
    assert within == hll.EMPTY  # no whole month inside: days only, and they are gone
