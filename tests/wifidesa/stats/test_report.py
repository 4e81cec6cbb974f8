"""An area's report: villages ranked by hours online, and villages silent for more than two
days listed longest silence first — never-heard villages before all."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert
from sqlalchemy.orm import Session
from wdtest.factories import make_site

from tests.wifidesa.stats.test_figures import _day
from wifidesa.admin.scope import OPERATOR
from wifidesa.db.models import SiteDay
from wifidesa.stats.periods import PeriodKind, period_of
from wifidesa.stats.report import area_report

NOW = datetime(2026, 12, 6, 4, 0, tzinfo=UTC)  # 6 December, noon WITA
MONTH = period_of(PeriodKind.MONTH, date(2026, 12, 1))


def test_villages_ranked_and_the_silent_ones_listed(session: Session) -> None:
    busy, quiet, silent, never = (make_site(session, kabupaten="64.05") for _ in range(4))
    session.flush()
    session.execute(
        insert(SiteDay),
        [
            _day(
                busy.id,
                date(2026, 12, 5),
                online_seconds=36_000,
                sessions=20,
                last_heard=NOW - timedelta(hours=3),
            ),
            _day(
                quiet.id,
                date(2026, 12, 6),
                online_seconds=600,
                sessions=1,
                last_heard=NOW - timedelta(hours=1),
            ),
            _day(
                silent.id,
                date(2026, 12, 1),
                online_seconds=7200,
                sessions=2,
                last_heard=NOW - timedelta(days=4, hours=8),
            ),
        ],
    )
    report = area_report(session=session, scope=OPERATOR, key="r:64.05", period=MONTH, now=NOW)
    assert [r.area.code for r in report.most_used] == [busy.code, silent.code, quiet.code]
    assert [r.area.code for r in report.least_used][:2] == [never.code, quiet.code]
    assert [(s.site.code, s.last_heard is None) for s in report.silent] == [
        (never.code, True),
        (silent.code, False),
    ]
    assert report.totals.sites_heard == 3 and report.totals.sites == 4
