"""`wifidesa routers poll --once`: one round over the registered routers, said in one line; and
what `record` makes of the poller's rounds: the alerts, queued once and delivered to the
admins whose villages they concern (a scripted fleet, through the local receivers)."""

from __future__ import annotations

import os
import shlex
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker
from wdtest.alert_rules import admin_with_channel
from wdtest.factories import make_router, make_site
from wdtest.fleet import POLL, T0
from wdtest.ports import free_ports
from wdtest.receivers import http_receiver, smtp_receiver
from wdtest.routeros import PASSWORD

from controllers.double import DoubleRouter, DoubleRunner
from controllers.notify.service import deliver_all
from controllers.service import record
from wifidesa.admin.scope import OPERATOR
from wifidesa.alerts.channels import add_channel
from wifidesa.cli.main import main
from wifidesa.crypto import SecretBox
from wifidesa.db.models import AdminRole, ChannelKind
from wifidesa.fleet.samples import Failure, Sample
from wifidesa.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def runner() -> Iterator[DoubleRunner]:
    with DoubleRunner([DoubleRouter(host="127.0.0.1", password=PASSWORD)]) as running:
        yield running


def test_one_round_says_what_it_found(
    cli_env: None,
    runner: DoubleRunner,
    sessions: sessionmaker[Session],
    box: SecretBox,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (up,) = runner.routers
    with sessions.begin() as session:
        site = make_site(session)
        for port in (up.port, 9):  # the second: nothing listens (discard port, closed)
            make_router(
                session,
                box,
                site=site,
                api_host="127.0.0.1",
                api_port=port,
                api_use_ssl=False,
                api_username="admin",
                api_password=PASSWORD,
            )

    assert main(["routers", "poll", "--once"]) == 0

    out = capsys.readouterr().out
    assert out.startswith("polled 2 router(s) in ")
    assert out.endswith(" s: 1 answered, 1 did not (refused 1)\n")
    assert PASSWORD not in out


def _run_sh_double() -> list[str]:
    """The simulated routers exactly as scripts/run.sh (make run) starts them."""
    script = (ROOT / "scripts" / "run.sh").read_text(encoding="utf-8").replace("\\\n", " ")
    line = next(x for x in script.splitlines() if "-m controllers.double" in x)
    words = shlex.split(line.split("-m controllers.double", 1)[1].split(">", 1)[0])
    return [sys.executable, "-m", "controllers.double", *words]


def test_make_runs_demo_fleet_answers_but_for_its_silent_village(
    cli_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--vouchers", "1"]) == 0
    capsys.readouterr()
    double = subprocess.Popen(
        _run_sh_double(),
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=os.environ | {"PYTHONPATH": str(ROOT)},
    )
    try:
        assert double.stdout is not None
        for _ in range(6):
            assert "listening on 127.0.2." in double.stdout.readline()
        assert main(["routers", "poll", "--once"]) == 0
    finally:
        double.terminate()
        double.communicate(timeout=30)

    out = capsys.readouterr().out  # six villages polled (the seventh has no API address)
    assert out.startswith("polled 6 router(s) in ")
    assert out.endswith(" s: 5 answered, 1 did not (timeout 1)\n")


def test_a_scripted_fleet_alerts_the_right_admins_once_by_mail_and_webhook(
    settings: Settings, writes: sessionmaker[Session], box: SecretBox
) -> None:
    (port,) = free_ports(1, socket.SOCK_STREAM)
    settings = settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_starttls": False}
    )
    with smtp_receiver(port) as mails, http_receiver() as hook:
        with writes.begin() as session:
            kukar = make_site(session, kabupaten="64.03")
            paser = make_site(session, kabupaten="64.01")
            k, p = make_router(session, box, site=kukar), make_router(session, box, site=paser)
            admin_with_channel(session, box, "prov")
            kabupaten = admin_with_channel(
                session, box, "kukar", AdminRole.KABUPATEN, region_code="64.03"
            )
            add_channel(
                session=session,
                scope=OPERATOR,
                box=box,
                kind=ChannelKind.WEBHOOK,
                address=f"{hook.url}/hook/s3cret",
                owner=kabupaten.username,
                now=T0,
            )
            admin_with_channel(session, box, "desa", AdminRole.DESA, site_codes=[paser.code])
            k_id, p_id = k.id, p.id

        def round_at(n: int, k_up: bool, p_uptime: int) -> None:
            at = T0 + n * POLL
            samples = [
                Sample(k_id, at, uptime_seconds=3600 + n * 300)
                if k_up
                else Sample(k_id, at, failure=Failure.TIMEOUT),
                Sample(p_id, at, uptime_seconds=p_uptime),
            ]
            with writes.begin() as session:
                record(session, samples, at)

        round_at(0, True, 3600)
        for n in range(1, 5):  # kukar down from 10.05; 15 minutes at 10.20
            round_at(n, False, 3600 + n * 300)
        round_at(5, True, 120)  # kukar back; paser restarted at 10.23
        deliver_all(settings, writes)
        deliver_all(settings, writes)  # nothing left: each alert once
        with writes.begin() as session:  # the last round again, as after a failed commit
            record(
                session, [Sample(k_id, T0 + 5 * POLL, uptime_seconds=3600 + 1500)], T0 + 5 * POLL
            )
        deliver_all(settings, writes)

    by_admin: dict[str, list[str]] = {}
    for mail in mails:
        (to,) = mail.rcpt_tos
        by_admin.setdefault(to.split("@")[0], []).append(str(mail.message["Subject"]))
    down = f"[WiFi Desa] {kukar.name}: router {k.name} mati"
    back = f"[WiFi Desa] {kukar.name}: router {k.name} menyala lagi"
    restart = f"[WiFi Desa] {paser.name}: router {p.name} menyala ulang"
    assert by_admin == {"prov": [down, restart, back], "kukar": [down, back], "desa": [restart]}
    assert [(r.path, r.json()["event"]) for r in hook.requests] == [
        ("/hook/s3cret", "down"),
        ("/hook/s3cret", "up"),
    ]
    assert "setelah 20 menit mati" in hook.requests[1].json()["text"]
