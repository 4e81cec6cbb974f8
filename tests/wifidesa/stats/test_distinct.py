"""Distinct devices over a period: a union of the days' devices, never a sum; exact from the
site-days' digests, estimated from area sketches past the limit, within the scope only."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.orm import Session
from wdtest.factories import make_router, make_site

from wifidesa.admin.scope import OPERATOR, Scope
from wifidesa.crypto import SecretBox
from wifidesa.db.models import AdminRole, Site
from wifidesa.errors import NotFound
from wifidesa.stats import hll
from wifidesa.stats.dirty import roll_up_dirty
from wifidesa.stats.distinct import Count, distinct_devices
from wifidesa.usage.accounting import record_accounting
from wifidesa.usage.records import AcctEvent, AcctRecord

DEC_1 = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 10:00 WITA
KUTAI_KARTANEGARA = Scope(
    admin_id=None, username="kab", role=AdminRole.KABUPATEN, region_code="64.03"
)


def _online(session: Session, box: SecretBox, site: Site, days: int, macs: list[str]) -> None:
    """Each device online ten minutes on each of `days` days from 1 December, then rolled up."""
    router = make_router(session, box, site=site)
    session.flush()
    records = [
        AcctRecord(
            event=AcctEvent.STOP,
            router_id=router.id,
            site_id=site.id,
            event_time=DEC_1 + timedelta(days=day, minutes=10),
            acct_session_id=f"{router.id}-{day}-{n}",
            username="guest",
            mac=mac,
            session_time=600,
        )
        for day in range(days)
        for n, mac in enumerate(macs)
    ]
    record_accounting(session=session, records=records, box=box, now=DEC_1)
    while roll_up_dirty(session=session):
        pass


def _macs(first: int, count: int) -> list[str]:
    return [f"02:00:00:00:{n // 256:02X}:{n % 256:02X}" for n in range(first, first + count)]


def test_devices_online_every_day_count_once_over_the_period(
    session: Session, box: SecretBox
) -> None:
    here, there = make_site(session), make_site(session, kecamatan="02")
    _online(session, box, here, 7, _macs(0, 30))
    _online(session, box, there, 7, _macs(20, 30))  # ten of them also visit the other site
    week = {"first": date(2026, 12, 1), "last": date(2026, 12, 7)}

    both = distinct_devices(session=session, scope=OPERATOR, site_ids=[here.id, there.id], **week)
    assert both == Count(value=50, exact=True, error=None)  # not 7 x 60 device-days
    one = distinct_devices(session=session, scope=OPERATOR, site_ids=[here.id], **week)
    assert one.value == 30
    kabupaten = distinct_devices(session=session, scope=OPERATOR, area="64.03", **week)
    assert kabupaten == both
    kecamatan = distinct_devices(session=session, scope=OPERATOR, area="64.03.02", **week)
    assert kecamatan.value == 30
    before = distinct_devices(
        session=session,
        scope=OPERATOR,
        area="64",
        first=date(2026, 11, 1),
        last=date(2026, 11, 30),
    )
    assert before == Count(value=0, exact=True, error=None)


def test_past_the_limit_a_kabupaten_is_estimated_from_its_sketches(
    session: Session, box: SecretBox
) -> None:
    _online(session, box, make_site(session), 3, _macs(0, 400))
    _online(session, box, make_site(session, kabupaten="64.02"), 3, _macs(300, 200))
    period = {"first": date(2026, 12, 1), "last": date(2026, 12, 31), "exact_limit": 1_000}

    province = distinct_devices(session=session, scope=OPERATOR, area="64", **period)
    assert (province.exact, province.error) == (False, hll.STANDARD_ERROR)
    assert abs(province.value - 500) <= 3 * hll.STANDARD_ERROR * 500
    kutai_barat = distinct_devices(session=session, scope=OPERATOR, area="64.02", **period)
    assert kutai_barat.exact  # its 600 device-days are under the limit
    assert kutai_barat.value == 200


def test_past_the_site_days_limit_a_kabupaten_is_estimated_however_few_its_devices(
    session: Session, box: SecretBox
) -> None:
    _online(session, box, make_site(session), 3, _macs(0, 30))
    _online(session, box, make_site(session), 3, _macs(10, 30))
    period = {"first": date(2026, 12, 1), "last": date(2026, 12, 31), "exact_site_days": 5}
    kabupaten = distinct_devices(session=session, scope=OPERATOR, area="64.03", **period)
    assert (kabupaten.exact, kabupaten.error) == (False, hll.STANDARD_ERROR)
    assert kabupaten.value == 40  # a sketch of a few dozen devices counts them exactly
    period["exact_site_days"] = 6  # its six site-days: not past the limit
    kabupaten = distinct_devices(session=session, scope=OPERATOR, area="64.03", **period)
    assert kabupaten == Count(value=40, exact=True, error=None)


def test_a_kecamatan_is_counted_exactly_past_the_limit(session: Session, box: SecretBox) -> None:
    _online(session, box, make_site(session), 2, _macs(0, 50))
    count = distinct_devices(
        session=session,
        scope=OPERATOR,
        area="64.03.01",
        first=date(2026, 12, 1),
        last=date(2026, 12, 2),
        exact_limit=0,
    )
    assert count == Count(value=50, exact=True, error=None)


def test_an_area_or_site_outside_the_scope_is_not_found(session: Session, box: SecretBox) -> None:
    inside, outside = make_site(session), make_site(session, kabupaten="64.02")
    session.flush()
    days = {"first": date(2026, 12, 1), "last": date(2026, 12, 1)}
    for area in ("64", "64.02", "64.99"):
        with pytest.raises(NotFound):
            distinct_devices(session=session, scope=KUTAI_KARTANEGARA, area=area, **days)
    with pytest.raises(NotFound):
        distinct_devices(
            session=session, scope=KUTAI_KARTANEGARA, site_ids=[inside.id, outside.id], **days
        )
    assert distinct_devices(session=session, scope=KUTAI_KARTANEGARA, area="64.03", **days) == (
        Count(value=0, exact=True, error=None)
    )
