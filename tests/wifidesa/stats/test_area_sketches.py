"""Area-day sketches: a kabupaten sketches its sites' devices of the day, the province all of
them, and a site-day recomputed later (late accounting) updates both."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session
from wdtest.factories import make_router, make_site

from wifidesa.crypto import SecretBox
from wifidesa.db.models import AreaDaySketch, Router
from wifidesa.stats import hll
from wifidesa.stats.area_sketches import area_codes, has_sketches
from wifidesa.stats.dirty import roll_up_dirty
from wifidesa.usage.accounting import record_accounting
from wifidesa.usage.records import AcctEvent, AcctRecord

DEC_1 = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 10:00 WITA
DAY = date(2026, 12, 1)


def _online(session: Session, box: SecretBox, router: Router, macs: range) -> None:
    records = [
        AcctRecord(
            event=AcctEvent.STOP,
            router_id=router.id,
            site_id=router.site_id,
            event_time=DEC_1 + timedelta(minutes=10),
            acct_session_id=f"{router.id}-{n}",
            username="guest",
            mac=f"02:00:00:00:00:{n:02X}",
            session_time=600,
        )
        for n in macs
    ]
    record_accounting(session=session, records=records, box=box, now=DEC_1)
    while roll_up_dirty(session=session):
        pass


def _counts(session: Session) -> dict[str, int]:
    return {
        area: round(hll.estimate(session.get(AreaDaySketch, (area, DAY)).registers))  # type: ignore[union-attr]
        for area in ("64", "64.02", "64.03")
    }


def test_areas_sketch_the_devices_of_all_their_sites(session: Session, box: SecretBox) -> None:
    kutai_kartanegara = make_router(session, box, site=make_site(session))
    kutai_barat = make_router(session, box, site=make_site(session, kabupaten="64.02"))
    session.flush()
    _online(session, box, kutai_kartanegara, range(30))
    _online(session, box, kutai_barat, range(20, 40))
    assert _counts(session) == {"64": 40, "64.02": 20, "64.03": 30}
    _online(session, box, kutai_barat, range(40, 50))  # later, the same day
    assert _counts(session) == {"64": 50, "64.02": 30, "64.03": 30}
    assert session.get(AreaDaySketch, ("64.03.01", DAY)) is None  # kecamatan: counted exactly


def test_sketches_are_kept_for_the_province_and_kabupaten_only() -> None:
    assert area_codes("64.03.01.2001") == ["64", "64.03"]
    assert area_codes("64") == ["64"]
    assert [has_sketches(code) for code in ("64", "64.03", "64.03.01", "")] == [
        True,
        True,
        False,
        False,
    ]
