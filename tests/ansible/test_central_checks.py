"""What ansible/central.yml checks before it changes anything on a server: run for real, with
the servers played by this machine (local connection, check mode), stopping at the check."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ANSIBLE_DIR = Path(__file__).resolve().parents[2] / "ansible"


def _host(**extra: str) -> dict[str, object]:
    return {
        "ansible_connection": "local",
        "ansible_become": False,
        "ansible_python_interpreter": sys.executable,
        **extra,
    }


def _central_playbook(tmp_path: Path, hosts: dict[str, object]) -> subprocess.CompletedProcess[str]:
    (tmp_path / "hosts.yml").write_text(json.dumps(hosts))
    return subprocess.run(
        [
            str(Path(sys.executable).parent / "ansible-playbook"),
            "-i",
            str(tmp_path / "hosts.yml"),
            "--check",
            "central.yml",
        ],
        cwd=ANSIBLE_DIR,
        env={
            **os.environ,
            "ANSIBLE_HOME": str(tmp_path / "ansible"),
            "ANSIBLE_LOCAL_TEMP": str(tmp_path / "tmp"),
            "ANSIBLE_RETRY_FILES_ENABLED": "0",
            "ANSIBLE_NOCOLOR": "1",
            "PYTHONWARNINGS": "ignore",
        },
        text=True,
        capture_output=True,
        timeout=120,
        check=False,
    )


def test_a_replica_named_instead_of_addressed_is_refused_before_anything_is_written(
    tmp_path: Path,
) -> None:
    # pg_hba.conf with a name where an address belongs keeps PostgreSQL from starting again.
    run = _central_playbook(
        tmp_path,
        {
            # Its postgresql_address is its ansible_host (group_vars/all.yml): an address.
            "central": {"hosts": {"central.example": _host(ansible_host="10.10.0.10")}},
            "stats_replica": {
                "hosts": {"stats.example": _host(postgresql_address="stats.internal")}
            },
        },
    )
    assert run.returncode != 0
    refused = [line for line in run.stdout.splitlines() if line.startswith("failed:")]
    assert len(refused) == 1 and "stats.internal" in refused[0], run.stdout[-3000:]
    assert "the primary and its replicas need IPv4 addresses" in refused[0]
    tasks = [line for line in run.stdout.splitlines() if line.startswith("TASK [")]
    assert tasks[-1].startswith("TASK [postgresql : Check that the servers reach each other")
