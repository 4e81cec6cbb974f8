"""`wifidesa serve` stops with its services on Ctrl-C (SIGINT to the whole process group)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from wdtest import TEST_SECRET
from wdtest.services import services

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
    with running.log.open("wb") as out:
        command = f"trap '' INT; exec {sys.executable} -m wifidesa.cli.main serve"
        running.proc = subprocess.Popen(
            ["/bin/sh", "-c", command],
            cwd=running.cwd,
            env=running.env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        running.wait_for_web()
        deadline = time.monotonic() + STOP_TIMEOUT
        while "started:" not in running.output() and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(2.0)  # every service past its start-up, its signal handlers in place
        pids = running.pids()
        assert len(pids) >= 5
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
