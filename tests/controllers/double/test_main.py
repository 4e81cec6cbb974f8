from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import librouteros
import pytest
from wdtest.ports import free_ports

ROOT = Path(__file__).resolve().parents[3]


def test_the_cli_runs_routers_until_stopped() -> None:
    [port] = free_ports(1, kind=socket.SOCK_STREAM)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "controllers.double",
            "--routers",
            "2",
            "--first",
            f"127.0.0.7:{port}",
            "--password",
            "pw",
            "--silent",
            "0.5",
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=os.environ | {"PYTHONPATH": str(ROOT)},
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(2)]
        assert lines == [
            f"desa-0001 listening on 127.0.0.7:{port}\n",
            f"desa-0002 listening on 127.0.0.8:{port}\n",
        ]
        api = librouteros.connect("127.0.0.8", "admin", "pw", port=port, timeout=5)
        assert next(iter(api.path("system", "identity")))["name"] == "desa-0002"
        api.close()
        with pytest.raises(TimeoutError):  # the first of the two is the silent half
            librouteros.connect("127.0.0.7", "admin", "pw", port=port, timeout=0.5)
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        assert process.stdout is not None
        traffic = json.loads(process.stdout.read().splitlines()[-1])
        process.stdout.close()
    assert traffic["commands"] >= 2 and traffic["bytes_in"] > 0 and traffic["bytes_out"] > 0
