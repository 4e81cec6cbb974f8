"""An area's report: villages ranked by hours online, and villages silent for more than two
days listed longest silence first — never-heard villages before all."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session
from wdtest.factories import make_batch, make_profile, make_site

from tests.wifidesa.stats.test_figures import _day
from wifidesa.access.rules import RejectReason
from wifidesa.access.ways import LoginKind
from wifidesa.admin.scope import OPERATOR
from wifidesa.db.models import Account, LoginCount, SiteDay, Voucher
from wifidesa.i18n import translations
from wifidesa.stats.outcomes import KIND_LABELS, REASON_LABELS, outcome_label
from wifidesa.stats.periods import PeriodKind, period_of
from wifidesa.stats.report import area_report, last_heard
from wifidesa.stats.voucher_figures import VoucherFigures

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


def test_logins_refusals_quota_and_vouchers_of_the_month(session: Session) -> None:
    busy, quiet = (make_site(session, kabupaten="64.11") for _ in range(2))
    session.flush()
    profile = make_profile(session, name="bulanan-uji", daily_bytes=10**9)
    make_batch(session=session, site_code=busy.code, profile_name=profile.name, count=4, now=NOW)
    november, _ = make_batch(
        session=session, site_code=busy.code, profile_name=profile.name, count=2
    )
    session.execute(  # printed in November: not this month's
        update(Account)
        .where(Account.id.in_(select(Voucher.account_id).where(Voucher.batch_id == november.id)))
        .values(created_at=NOW - timedelta(days=30))
    )
    handed = session.scalars(
        select(Voucher).join(Account).where(Account.site_id == busy.id).limit(3)
    ).all()
    for voucher in handed:
        voucher.distributed_at = NOW
    handed[0].account.first_used_at = NOW
    session.execute(
        insert(SiteDay),
        [
            _day(busy.id, date(2026, 12, 2), sessions=9, quota_accounts=3),
            _day(busy.id, date(2026, 12, 3), sessions=4, quota_accounts=1),
            _day(quiet.id, date(2026, 12, 3), sessions=1),
        ],
    )
    session.execute(
        insert(LoginCount),
        [
            {
                "site_id": busy.id,
                "day": date(2026, 12, 2),
                "outcome": "accepted:voucher",
                "count": 9,
            },
            {
                "site_id": busy.id,
                "day": date(2026, 12, 3),
                "outcome": "accepted:voucher",
                "count": 4,
            },
            {
                "site_id": busy.id,
                "day": date(2026, 12, 3),
                "outcome": "refused:quota_exceeded",
                "count": 2,
            },
            {
                "site_id": quiet.id,
                "day": date(2026, 12, 3),
                "outcome": "refused:bad_credentials",
                "count": 5,
            },
            {
                "site_id": quiet.id,
                "day": date(2026, 11, 30),
                "outcome": "refused:bad_credentials",
                "count": 50,
            },  # last month
        ],
    )
    report = area_report(session=session, scope=OPERATOR, key="r:64.11", period=MONTH, now=NOW)
    assert report.logins == {
        "accepted:voucher": 13,
        "refused:bad_credentials": 5,
        "refused:quota_exceeded": 2,
    }
    assert [(r.area.code, n) for r, n in report.most_refused] == [(quiet.code, 5), (busy.code, 2)]
    assert [(r.area.code, r.usage.quota_accounts) for r in report.most_over_quota] == [
        (busy.code, 4)
    ]
    assert report.totals.usage.quota_accounts == 4
    assert report.vouchers == VoucherFigures(issued=4, handed_out=3, first_used=1)


def test_every_outcome_has_a_label_in_bahasa_indonesia() -> None:
    _ = translations("id").gettext
    labels = [*KIND_LABELS.values(), *REASON_LABELS.values(), "Other"]
    assert set(KIND_LABELS) == set(LoginKind) and set(REASON_LABELS) == set(RejectReason)
    assert all(_(label) != label for label in labels if label != "Voucher")
    assert outcome_label("refused:quota_exceeded") == "Quota used up"
    assert outcome_label("refused:from_the_future") == "Other"


def test_a_villages_last_accounting_is_its_latest_over_all_its_days(session: Session) -> None:
    late, heard, never = (make_site(session, kabupaten="64.05") for _ in range(3))
    session.flush()
    session.execute(
        insert(SiteDay),
        [
            # A late record for an older day is the village's latest accounting.
            _day(late.id, date(2026, 11, 2), last_heard=NOW - timedelta(hours=2)),
            _day(late.id, date(2026, 11, 20), last_heard=NOW - timedelta(days=10)),
            _day(heard.id, date(2026, 11, 20), last_heard=NOW - timedelta(days=10)),
            _day(heard.id, date(2026, 11, 21), last_heard=None),
        ],
    )
    ids = [late.id, heard.id, never.id]
    assert last_heard(session=session, site_ids=ids) == {
        late.id: NOW - timedelta(hours=2),
        heard.id: NOW - timedelta(days=10),
    }
