"""Flap suppression, from scripted poll sequences: a router changing state more than K times
within the window gets one "flapping" alert and no per-change alerts until it has kept one
state for M minutes, then one "stable again" or "stays down"; central incidents make no router
flap."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session
from wdtest.alert_rules import admin_with_channel, bodies, inbox, round_with_alerts
from wdtest.factories import make_router, make_site
from wdtest.fleet import POLL, T0, answer, fail

from wifidesa.alerts.flaps import FlapRules
from wifidesa.alerts.rules import AlertRules
from wifidesa.crypto import SecretBox
from wifidesa.db.models import Router, Site


def _uptime(at: datetime, booted: datetime) -> int:
    return int((at - booted).total_seconds())


def _village(session: Session, box: SecretBox) -> tuple[Site, Router]:
    site = make_site(session)
    return site, make_router(session, box, site=site)


def test_a_router_restarting_again_and_again_is_told_once_until_it_is_stable(
    session: Session, box: SecretBox
) -> None:
    admin_with_channel(session, box, "prov")
    site, router = _village(session, box)
    name = f"{site.name}: router {router.name}"
    round_with_alerts(session, answer(router, T0, 3600))
    for n in range(1, 6):  # a restart in every poll: up again for one minute each time
        round_with_alerts(session, answer(router, T0 + n * POLL, 60))
        if n == 2:  # four changes: not yet more than four
            assert inbox(session)["prov"] == [f"{name} menyala ulang"] * 2
    # The third restart made six changes: one flapping alert, then quiet.
    assert inbox(session)["prov"] == [f"{name} menyala ulang"] * 2 + [f"{name} terus mati-hidup"]
    assert bodies(session)[2] == (
        f"Router {router.name} di {site.name} berganti keadaan 6 kali dalam 60 menit, terakhir "
        "pada 10 Maret 2026 pukul 10.14 WITA. Tidak ada peringatan tentangnya sampai "
        "keadaannya tetap selama 30 menit."
    )
    booted = T0 + 5 * POLL - timedelta(minutes=1)  # the last start, at 10:24
    for n in range(6, 11):  # up without a change until 10:50: 26 minutes
        at = T0 + n * POLL
        round_with_alerts(session, answer(router, at, _uptime(at, booted)))
    assert len(inbox(session)["prov"]) == 3
    at = T0 + 11 * POLL  # 10:55: 31 minutes without a change
    round_with_alerts(session, answer(router, at, _uptime(at, booted)))
    assert inbox(session)["prov"][3:] == [f"{name} stabil lagi"]
    assert bodies(session)[3] == (
        f"Router {router.name} di {site.name} menjawab tanpa putus sejak 10 Maret 2026 pukul "
        "10.24 WITA."
    )
    # Stable: a later restart is told as usual again.
    at = T0 + 12 * POLL
    round_with_alerts(session, answer(router, at, 60))
    assert inbox(session)["prov"][4:] == [f"{name} menyala ulang"]


def test_a_flapping_router_that_settles_down_is_told_so_then_back_up(
    session: Session, box: SecretBox
) -> None:
    admin_with_channel(session, box, "prov")
    site, router = _village(session, box)
    name = f"{site.name}: router {router.name}"

    def up(n: int) -> None:
        at = T0 + n * POLL
        round_with_alerts(session, answer(router, at, 3600 + _uptime(at, T0)))

    def down(n: int) -> None:
        round_with_alerts(session, fail(router, T0 + n * POLL))

    up(0)
    for n in (1, 2):
        down(n)
    up(3)
    for n in (4, 5):
        down(n)
    up(6)
    for n in (7, 8):  # the third outage, since 10:35: five changes
        down(n)
    assert inbox(session)["prov"] == [f"{name} terus mati-hidup"]
    for n in range(9, 13):  # down 15 minutes and more: no "down" alert while flapping
        down(n)
    assert inbox(session)["prov"] == [f"{name} terus mati-hidup"]
    down(13)  # 11:05: no change for 30 minutes
    assert inbox(session)["prov"][1:] == [f"{name} tetap mati"]
    assert bodies(session)[1] == (
        f"Router {router.name} di {site.name} berhenti mati-hidup dan tidak menjawab sejak "
        "10 Maret 2026 pukul 10.35 WITA (30 menit)."
    )
    down(14)
    up(15)
    assert inbox(session)["prov"][2:] == [f"{name} menyala lagi"]


def test_the_flap_rule_is_set_by_its_settings(session: Session, box: SecretBox) -> None:
    admin_with_channel(session, box, "prov")
    _, router = _village(session, box)
    rules = AlertRules(flaps=FlapRules(changes=6, window=timedelta(minutes=60)))
    round_with_alerts(session, answer(router, T0, 3600), rules=rules)
    for n in range(1, 4):  # six changes: not more than six
        round_with_alerts(session, answer(router, T0 + n * POLL, 60), rules=rules)
    assert len(inbox(session)["prov"]) == 3
    assert all(subject.endswith("menyala ulang") for subject in inbox(session)["prov"])


def test_central_incidents_make_no_router_flap(session: Session, box: SecretBox) -> None:
    admin_with_channel(session, box, "prov")
    routers = [_village(session, box)[1] for _ in range(4)]
    n = 0
    for _ in range(3):  # three incidents within 45 minutes, every router down in each
        at = T0 + n * POLL
        round_with_alerts(session, *(answer(r, at, 3600 + _uptime(at, T0)) for r in routers))
        for k in (1, 2):
            round_with_alerts(session, *(fail(r, T0 + (n + k) * POLL) for r in routers))
        n += 3
    at = T0 + n * POLL
    round_with_alerts(session, *(answer(r, at, 3600 + _uptime(at, T0)) for r in routers))
    assert (
        inbox(session)["prov"]
        == [
            "Banyak router tidak terjangkau sekaligus",
            "Router terjangkau lagi",
        ]
        * 3
    )
