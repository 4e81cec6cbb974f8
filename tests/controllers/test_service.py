"""`wifidesa routers poll --once`: one round over the registered routers, said in one line."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker
from wdtest.factories import make_router, make_site
from wdtest.routeros import PASSWORD

from controllers.double import DoubleRouter, DoubleRunner
from wifidesa.cli.main import main
from wifidesa.crypto import SecretBox

KEY = "cli-test-secret-key-0123456789-abcdefgh"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def env(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WIFIDESA_DATABASE_URL", db_url)
    monkeypatch.setenv("WIFIDESA_SECRET_KEY", KEY)
    monkeypatch.setenv("WIFIDESA_API_TIMEOUT_SECONDS", "1")


@pytest.fixture
def runner() -> Iterator[DoubleRunner]:
    with DoubleRunner([DoubleRouter(host="127.0.0.1", password=PASSWORD)]) as running:
        yield running


def test_one_round_says_what_it_found(
    env: None,
    runner: DoubleRunner,
    sessions: sessionmaker[Session],
    capsys: pytest.CaptureFixture[str],
) -> None:
    box = SecretBox(KEY)
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
    env: None, capsys: pytest.CaptureFixture[str]
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
