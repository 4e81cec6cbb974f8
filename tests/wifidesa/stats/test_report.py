"""An area's report: villages ranked by hours online, and villages silent for more than two
days listed longest silence first — never-heard villages before all."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session
from wdtest.factories import make_batch, make_profile, make_site

from tests.wifidesa.stats.test_figures import _day
from wifidesa.access.rules import RejectReason
from wifidesa.access.ways import LoginKind
from wifidesa.admin.scope import OPERATOR
from wifidesa.db.models import Account, AreaDay, LoginCount, SiteDay, SiteMonth, Voucher
from wifidesa.db.models.statistics import HOURS, LENGTHS
from wifidesa.i18n import translations
from wifidesa.stats.digests import digest, pack
from wifidesa.stats.outcomes import KIND_LABELS, REASON_LABELS, outcome_label
from wifidesa.stats.periods import Period, PeriodKind, period_of
from wifidesa.stats.report import area_report, last_heard
from wifidesa.stats.rollup import store_site_days
from wifidesa.stats.voucher_figures import VoucherFigures

NOW = datetime(2026, 12, 6, 4, 0, tzinfo=UTC)  # 6 December, noon WITA
MONTH = period_of(PeriodKind.MONTH, date(2026, 12, 1))


def test_villages_ranked_and_the_silent_ones_listed(session: Session) -> None:
    busy, quiet, silent, never = (make_site(session, kabupaten="64.05") for _ in range(4))
    session.flush()
    store_site_days(
        session=session,
        rows=[
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
    store_site_days(
        session=session,
        rows=[
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


def test_the_sums_kept_per_region_day_and_site_month_give_the_site_days_figures(
    session: Session,
) -> None:
    """Province, kabupaten, kecamatan and village reports over periods with and without whole
    months, partial months at either end: the same report read from the sums kept per
    region-day and site-month as summed from the site-days alone, after late rows too."""
    sites = [
        make_site(session, kabupaten="64.03", kecamatan="01"),
        make_site(session, kabupaten="64.03", kecamatan="01"),
        make_site(session, kabupaten="64.03", kecamatan="02"),
        make_site(session, kabupaten="64.05"),
    ]
    session.flush()
    pick = random.Random(14)
    first = date(2026, 10, 20)

    def rows(days: range) -> list[dict[str, Any]]:
        made = []
        for site in sites:
            for n in days:
                if pick.random() < 0.15:  # no data that day
                    continue
                day = first + timedelta(days=n)
                heard = None if pick.random() < 0.1 else NOW - timedelta(days=60 - n, hours=3)
                figures = {name: pick.randrange(50) for name in (*HOURS, *LENGTHS)}
                devices = [f"{site.code}-{pick.randrange(30)}" for _ in range(pick.randrange(8))]
                made.append(
                    _day(
                        site.id,
                        day,
                        sessions=pick.randrange(40),
                        devices=len(set(devices)),
                        online_seconds=pick.randrange(10**5),
                        input_octets=pick.randrange(10**9),
                        output_octets=pick.randrange(10**10),
                        quota_accounts=pick.randrange(3),
                        last_heard=heard,
                        device_digests=pack(digest(d) for d in devices),
                        **figures,
                    )
                )
        return made

    store_site_days(session=session, rows=rows(range(52)))  # 20 October - 10 December
    store_site_days(session=session, rows=rows(range(10, 30)))  # late: 30 Oct - 18 Nov again
    periods = [
        Period(PeriodKind.CUSTOM, date(2026, 10, 25), date(2026, 12, 5)),
        Period(PeriodKind.CUSTOM, date(2026, 11, 1), date(2026, 12, 31)),
        Period(PeriodKind.CUSTOM, date(2026, 10, 22), date(2026, 11, 30)),
        period_of(PeriodKind.MONTH, date(2026, 11, 1)),
        period_of(PeriodKind.YEAR, date(2026, 1, 1)),
        period_of(PeriodKind.WEEK, date(2026, 11, 11)),
        period_of(PeriodKind.DAY, date(2026, 11, 11)),
    ]
    keys = ["", "r:64", "r:64.03", "r:64.03.01", "r:64.05", f"s:{sites[2].code}"]
    for key in keys:
        for period in periods:
            kept = area_report(session=session, scope=OPERATOR, key=key, period=period, now=NOW)
            summed = area_report(
                session=session, scope=OPERATOR, key=key, period=period, now=NOW, aggregates=False
            )
            assert kept == summed, (key, period)
    year = area_report(session=session, scope=OPERATOR, key="r:64", period=periods[4], now=NOW)
    today = date(2026, 12, 6)
    every = sum(session.scalars(select(SiteDay.sessions)))
    so_far = sum(session.scalars(select(SiteDay.sessions).where(SiteDay.day <= today)))
    assert year.totals.usage.sessions == so_far > 0  # days to come left out of the days
    assert sum(r.usage.sessions for r in year.villages) == every
    assert year.totals.sites_heard == 4 and len(year.days) == 340  # to 6 December
    # The year is read from the sums kept: one changed behind the rollup's back shows.
    session.execute(update(SiteMonth).values(sessions=SiteMonth.sessions + 1))
    session.execute(update(AreaDay).values(sessions=AreaDay.sessions + 1))
    changed = area_report(session=session, scope=OPERATOR, key="r:64", period=periods[4], now=NOW)
    months = session.scalar(select(func.count()).select_from(SiteMonth))
    province_days = session.scalar(
        select(func.count()).where(AreaDay.area_code == "64", AreaDay.day <= today)
    )
    assert sum(r.usage.sessions for r in changed.villages) == every + months
    assert changed.totals.usage.sessions == so_far + province_days
