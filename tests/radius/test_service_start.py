"""Starting `wifidesa radius` with settings it cannot serve: it stops at once, with one line."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from wdtest.ports import free_ports

from radius.dispatcher import EXIT_CONFIG, Dispatcher
from radius.service import open_socket
from wifidesa.settings import Settings

from .conftest import Village

# Starts the real service as processes.
pytestmark = pytest.mark.slow
OTHER_KEY = "another-secret-key-of-a-restored-install-0123456789"


@pytest.mark.parametrize(
    "command",
    [["radius", "--workers", "1"], ["radius", "--workers", "2"], ["serve", "--only", "radius"]],
    ids=["one-worker", "two-workers", "serve"],
)
def test_a_changed_secret_key_stops_the_service_with_one_line(
    settings: Settings, village: Village, tmp_path: Path, command: list[str]
) -> None:
    auth_port, acct_port = free_ports(2)
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIFIDESA_")}
    env.update(
        WIFIDESA_DATABASE_URL=settings.resolved_database_url,
        WIFIDESA_SECRET_KEY=OTHER_KEY,  # the routers' secrets were stored with another key
        WIFIDESA_ENV="development",
        WIFIDESA_VAR_DIR=str(tmp_path / "var"),
        WIFIDESA_RADIUS_HOST="127.0.0.1",
        WIFIDESA_RADIUS_AUTH_PORT=str(auth_port),
        WIFIDESA_RADIUS_ACCT_PORT=str(acct_port),
        WIFIDESA_LOG_LEVEL="INFO",
    )
    try:
        done = subprocess.run(
            [sys.executable, "-m", "wifidesa.cli.main", *command],
            cwd=tmp_path,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=60,
        )
    except subprocess.TimeoutExpired as exc:
        output = (exc.stdout or b"") + (exc.stderr or b"")
        pytest.fail(f"still running after 60 s\n{output.decode(errors='replace')[-3000:]}")
    output = (done.stdout + done.stderr).decode(errors="replace")
    assert done.returncode != 0, output
    assert "Traceback" not in output, output
    problems = [line for line in output.splitlines() if "WIFIDESA_SECRET_KEY" in line]
    assert len(problems) == 1, output
    assert "restart" not in output and "exited" not in output, output


def test_workers_that_cannot_serve_stop_the_dispatcher(
    settings: Settings, village: Village
) -> None:
    """The key check before forking has a second line behind it: a worker that fails on its
    settings as it starts is not started again and again."""
    wrong = settings.model_copy(update={"secret_key": OTHER_KEY})
    auth, acct = open_socket("127.0.0.1", 0), open_socket("127.0.0.1", 0)
    dispatcher = Dispatcher(wrong, [auth], acct, 2)
    try:
        dispatcher.start_workers()
        assert asyncio.run(asyncio.wait_for(dispatcher.run(), 60)) is False
        assert [proc.exitcode for proc in dispatcher.procs] == [EXIT_CONFIG, EXIT_CONFIG]
    finally:
        dispatcher.shutdown()
        auth.close()
        acct.close()
