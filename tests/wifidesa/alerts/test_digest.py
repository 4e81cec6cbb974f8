"""The daily digest: what is down now and since when, the last local day's outages and
restarts, the villages of lowest availability, each admin's own villages only, in Bahasa
Indonesia at WITA times; queued once per channel and local day, from the digest hour on."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session
from wdtest.alert_rules import admin_with_channel, inbox
from wdtest.factories import make_router, make_site
from wdtest.fleet import POLL, T0, answer, fail, poll

from wifidesa.alerts.digest import queue_digests
from wifidesa.crypto import SecretBox
from wifidesa.db.models import AdminRole, Notification, Router, Site

ZONE = "Asia/Makassar"
# 07.00 WITA the next morning (T0 is 10.00 WITA on 10 March).
MORNING = T0 + timedelta(hours=21)


def _fleet(session: Session, box: SecretBox) -> tuple[list[Site], list[Router]]:
    """Three villages on 10 March from 10.00 to 10.50 WITA: A down 10.05-10.25, B restarted
    at 10.29, C down since 10.35."""
    sites = [
        make_site(session, kabupaten="64.03"),
        make_site(session, kabupaten="64.01"),
        make_site(session, kabupaten="64.03"),
    ]
    a, b, c = routers = [make_router(session, box, site=site) for site in sites]
    for n in range(11):
        at = T0 + n * POLL
        up = 3600 + n * 300
        samples = [
            fail(a, at) if 1 <= n <= 4 else answer(a, at, up),
            answer(b, at, up if n < 6 else (n - 6) * 300 + 60),
            fail(c, at) if n >= 7 else answer(c, at, up),
        ]
        poll(session, *samples)
    return sites, routers


def _digest(session: Session) -> Notification:
    found = session.scalars(select(Notification).order_by(Notification.id)).first()
    assert found is not None
    return found


def test_the_digest_says_what_is_down_what_happened_yesterday_and_the_lowest_villages(
    session: Session, box: SecretBox
) -> None:
    (sa, sb, sc), (a, b, c) = _fleet(session, box)
    admin_with_channel(session, box, "prov")
    assert queue_digests(session=session, now=MORNING, hour=7, zone=ZONE) == 1
    digest = _digest(session)
    assert digest.subject == "[WiFi Desa] Ringkasan harian 11 Maret 2026"
    assert digest.dedupe_key == "digest:2026-03-11"
    assert digest.body.split("\n") == [
        "WiFi Desa, router desa-desa Anda pada 11 Maret 2026 (waktu dalam WITA).",
        "",
        "Mati sekarang (1):",
        f"- {sc.name}, router {c.name}: sejak 10 Maret 2026 pukul 10.35 WITA",
        "",
        "Kemarin, 10 Maret 2026: 2 gangguan, 1 kali menyala ulang.",
        f"- {sa.name}, router {a.name}: mati 10.05–10.25 (20 menit)",
        f"- {sc.name}, router {c.name}: mati sejak 10.35",
        f"- {sb.name}, router {b.name}: menyala ulang pukul 10.29, kemungkinan listrik padam",
        "",
        "Ketersediaan terendah kemarin:",
        # Known until the last poll, 10.50: A down 20 of 50 minutes, C 15.
        f"- {sa.name}: 60,0 %",
        f"- {sc.name}: 70,0 %",
        f"- {sb.name}: 100,0 %",
    ]


def test_each_admin_reads_of_their_own_villages_only(session: Session, box: SecretBox) -> None:
    (sa, sb, sc), _ = _fleet(session, box)
    admin_with_channel(session, box, "paser", AdminRole.KABUPATEN, region_code="64.01")
    queue_digests(session=session, now=MORNING, hour=7, zone=ZONE)
    body = _digest(session).body
    assert "Tidak ada router yang mati sekarang." in body
    assert "Kemarin, 10 Maret 2026: 0 gangguan, 1 kali menyala ulang." in body
    assert sb.name in body and sa.name not in body and sc.name not in body


def test_one_digest_per_channel_and_local_day_from_the_digest_hour_on(
    session: Session, box: SecretBox
) -> None:
    admin_with_channel(session, box, "prov")
    admin_with_channel(session, box, "kukar", AdminRole.KABUPATEN, region_code="64.03")
    assert (
        queue_digests(session=session, now=MORNING - timedelta(minutes=1), hour=7, zone=ZONE) == 0
    )
    assert queue_digests(session=session, now=MORNING, hour=7, zone=ZONE) == 2
    assert queue_digests(session=session, now=MORNING + timedelta(hours=5), hour=7, zone=ZONE) == 0
    admin_with_channel(session, box, "late")  # a channel added later that day still gets it
    assert queue_digests(session=session, now=MORNING + timedelta(hours=6), hour=7, zone=ZONE) == 1
    next_morning = MORNING + timedelta(days=1)
    assert queue_digests(session=session, now=next_morning, hour=7, zone=ZONE) == 3
    assert {name: len(subjects) for name, subjects in inbox(session).items()} == {
        "prov": 2,
        "kukar": 2,
        "late": 2,
    }


def test_the_digest_reads_in_english_too(session: Session, box: SecretBox) -> None:
    from wifidesa.admin.scope import OPERATOR
    from wifidesa.alerts.digest import build_digest, render_digest

    _fleet(session, box)
    digest = build_digest(session=session, scope=OPERATOR, now=MORNING, zone=ZONE)
    text = render_digest(digest, zone=ZONE, language="en")
    assert text.subject == "[WiFi Desa] Daily summary for 11 March 2026"
    assert "Yesterday, 10 March 2026: 2 outage(s), 1 restart(s)." in text.body
    assert "60.0 %" in text.body
