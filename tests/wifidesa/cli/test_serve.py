"""`wifidesa serve` stops with its services on Ctrl-C (SIGINT to the whole process group)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from wdtest import TEST_SECRET
from wdtest.factories import make_router
from wdtest.services import services

from wifidesa.crypto import SecretBox
from wifidesa.db.engine import make_engine, make_session_factory, transaction

STOP_TIMEOUT = 30


def test_ctrl_c_stops_every_service_and_serve_says_nothing_went_wrong(tmp_path: Path) -> None:
    """Started as a script's background job (SIGINT ignored on entry, as bash does for `&`):
    the services stop on the Ctrl-C, and so must `serve`, with status 0. It reported them as
    having stopped unexpectedly, with status 1."""
    running = services(
        database_url=f"sqlite:///{tmp_path / 'w.db'}",
        secret_key=TEST_SECRET,
        router_secret="serve-router-secret",
        workdir=tmp_path / "run",
        args=("serve",),
    )
    subprocess.run(
        [sys.executable, "-m", "wifidesa.cli.main", "init"],
        env=running.env,
        cwd=running.cwd,
        check=True,
        capture_output=True,
    )
    engine = make_engine(running.env["WIFIDESA_DATABASE_URL"])
    with transaction(make_session_factory(engine)) as session:  # the router start() asks
        make_router(session, SecretBox(TEST_SECRET), ip="127.0.0.1", secret=running.secret)
    engine.dispose()
    running.start(background_job=True)
    try:
        running.wait_for_web()
        time.sleep(2.0)  # every service past its start-up, its signal handlers in place
        pids = running.pids()
        assert len(pids) >= 5
        assert running.proc is not None
        os.killpg(running.proc.pid, signal.SIGINT)  # what the terminal sends on Ctrl-C
        code = running.proc.wait(timeout=STOP_TIMEOUT)
    finally:
        running.stop()
    assert "stopped unexpectedly" not in running.output()
    assert code == 0, running.output()
    deadline = time.monotonic() + STOP_TIMEOUT
    while any(Path(f"/proc/{pid}").exists() for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in pids if Path(f"/proc/{pid}").exists()]
