"""Which fleet events become alerts, per round: down past the threshold (however many rounds
after it went down), back up only after a down alert, restarts with how long they were away,
central incidents once and to province admins only, each admin hearing of their scope, each
alert queued once whatever is retried."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from wdtest.alert_rules import admin_with_channel, bodies, inbox, round_with_alerts
from wdtest.factories import make_router, make_site
from wdtest.fleet import POLL, T0, answer, fail

from wifidesa.admin.scope import OPERATOR
from wifidesa.alerts.channels import list_channels, set_enabled
from wifidesa.alerts.rules import AlertRules, alert_round
from wifidesa.crypto import SecretBox
from wifidesa.db.models import AdminRole, Notification, Router, Site


def _village(session: Session, box: SecretBox, kabupaten: str = "64.03") -> tuple[Site, Router]:
    site = make_site(session, kabupaten=kabupaten)
    return site, make_router(session, box, site=site)


def _down_from(session: Session, router: Router, start: int, end: int) -> None:
    """Failed polls at T0 + start*POLL ... T0 + end*POLL, each its own round."""
    for n in range(start, end + 1):
        round_with_alerts(session, fail(router, T0 + n * POLL))


def test_a_blip_shorter_than_the_threshold_tells_nobody(session: Session, box: SecretBox) -> None:
    admin_with_channel(session, box, "prov")
    _, router = _village(session, box)
    round_with_alerts(session, answer(router, T0, 3600))
    _down_from(session, router, 1, 3)  # down since T0+5 min, 10 minutes so far
    round_with_alerts(session, answer(router, T0 + 4 * POLL, 3600 + 20 * 60))
    assert inbox(session) == {}


def test_a_router_down_past_the_threshold_is_told_once_then_back_up_with_its_length(
    session: Session, box: SecretBox
) -> None:
    admin_with_channel(session, box, "prov")
    site, router = _village(session, box)
    round_with_alerts(session, answer(router, T0, 3600))
    _down_from(session, router, 1, 3)  # went down rounds ago (at the second failure)
    assert inbox(session) == {}
    _down_from(session, router, 4, 6)  # 15 minutes down at T0+20 min: told, once
    down = f"{site.name}: router {router.name} mati"
    assert inbox(session) == {"prov": [down]}
    round_with_alerts(session, answer(router, T0 + 7 * POLL, 3600 + 35 * 60))
    assert inbox(session) == {"prov": [down, f"{site.name}: router {router.name} menyala lagi"]}
    assert bodies(session)[-1] == (
        f"Router {router.name} di {site.name} menjawab lagi sejak 10 Maret 2026 pukul 10.35 "
        "WITA, setelah 30 menit mati."
    )


def test_the_threshold_is_a_setting(session: Session, box: SecretBox) -> None:
    admin_with_channel(session, box, "prov")
    _, router = _village(session, box)
    rules = AlertRules(down_after=timedelta(minutes=5))
    round_with_alerts(session, answer(router, T0, 3600), rules=rules)
    for n in (1, 2):
        round_with_alerts(session, fail(router, T0 + n * POLL), rules=rules)
    assert len(inbox(session)["prov"]) == 1


def test_a_restart_says_how_long_the_router_was_away(session: Session, box: SecretBox) -> None:
    admin_with_channel(session, box, "prov")
    site, router = _village(session, box)
    round_with_alerts(session, answer(router, T0, 3600))
    round_with_alerts(session, fail(router, T0 + POLL))
    # Up again for 2 minutes at T0+10: it started at T0+8, away since the failed poll.
    round_with_alerts(session, answer(router, T0 + 2 * POLL, 120))
    assert inbox(session) == {"prov": [f"{site.name}: router {router.name} menyala ulang"]}
    assert bodies(session) == [
        f"Router {router.name} di {site.name} menyala ulang pada 10 Maret 2026 pukul 10.08 "
        "WITA, setelah sekitar 3 menit hilang; kemungkinan listrik padam."
    ]


def test_a_router_told_down_that_comes_back_restarted_gets_one_back_up_saying_so(
    session: Session, box: SecretBox
) -> None:
    admin_with_channel(session, box, "prov")
    site, router = _village(session, box)
    round_with_alerts(session, answer(router, T0, 3600))
    _down_from(session, router, 1, 5)
    round_with_alerts(session, answer(router, T0 + 6 * POLL, 60))  # booted at T0+29 min
    assert inbox(session)["prov"] == [
        f"{site.name}: router {router.name} mati",
        f"{site.name}: router {router.name} menyala lagi",
    ]
    assert bodies(session)[-1] == (
        f"Router {router.name} di {site.name} menjawab lagi: menyala ulang pada 10 Maret 2026 "
        "pukul 10.29 WITA, setelah 24 menit mati; kemungkinan listrik padam."
    )


def test_each_admin_hears_of_the_villages_in_their_scope(session: Session, box: SecretBox) -> None:
    kukar, kukar_router = _village(session, box, "64.03")
    paser, paser_router = _village(session, box, "64.01")
    admin_with_channel(session, box, "prov")
    admin_with_channel(session, box, "kukar", AdminRole.KABUPATEN, region_code="64.03")
    admin_with_channel(session, box, "desa", AdminRole.DESA, site_codes=[paser.code])
    routers = (kukar_router, paser_router)
    round_with_alerts(session, *(answer(r, T0, 3600) for r in routers))
    for n in range(1, 5):
        round_with_alerts(session, *(fail(r, T0 + n * POLL) for r in routers))
    # Two routers failing are fewer than a central-side incident needs: their own outages.
    assert inbox(session) == {
        "prov": [
            f"{kukar.name}: router {kukar_router.name} mati",
            f"{paser.name}: router {paser_router.name} mati",
        ],
        "kukar": [f"{kukar.name}: router {kukar_router.name} mati"],
        "desa": [f"{paser.name}: router {paser_router.name} mati"],
    }


def test_a_central_incident_is_one_alert_to_province_admins_and_no_router_alerts(
    session: Session, box: SecretBox
) -> None:
    admin_with_channel(session, box, "prov")
    admin_with_channel(session, box, "kukar", AdminRole.KABUPATEN, region_code="64.03")
    routers = [_village(session, box)[1] for _ in range(5)]
    round_with_alerts(session, *(answer(r, T0, 3600) for r in routers))
    for n in range(1, 7):  # 25 minutes, every router failing
        round_with_alerts(session, *(fail(r, T0 + n * POLL) for r in routers))
    assert inbox(session) == {"prov": ["Banyak router tidak terjangkau sekaligus"]}
    round_with_alerts(session, *(answer(r, T0 + 7 * POLL, 3600 + 35 * 60) for r in routers))
    assert inbox(session) == {
        "prov": ["Banyak router tidak terjangkau sekaligus", "Router terjangkau lagi"]
    }
    assert bodies(session)[-1] == (
        "Sejak 10 Maret 2026 pukul 10.35 WITA router menjawab lagi, setelah 30 menit."
    )


def test_a_retried_round_and_a_second_poller_queue_each_alert_once(
    session: Session, box: SecretBox
) -> None:
    admin_with_channel(session, box, "prov")
    _, router = _village(session, box)
    round_with_alerts(session, answer(router, T0, 3600))
    _down_from(session, router, 1, 3)
    transitions = round_with_alerts(session, fail(router, T0 + 4 * POLL))
    # The same round again (a retry after a failed commit) and another poller a minute later.
    alert_round(session=session, transitions=transitions, now=T0 + 4 * POLL)
    alert_round(session=session, transitions=[], now=T0 + 4 * POLL + timedelta(minutes=1))
    assert session.scalar(select(func.count()).select_from(Notification)) == 1


def test_a_disabled_channel_gets_nothing(session: Session, box: SecretBox) -> None:
    admin_with_channel(session, box, "prov")
    _, router = _village(session, box)
    (channel,) = list_channels(session=session, scope=OPERATOR, owner="prov")
    set_enabled(session=session, scope=OPERATOR, channel_id=channel.id, enabled=False)
    round_with_alerts(session, answer(router, T0, 3600))
    _down_from(session, router, 1, 5)
    assert inbox(session) == {}
