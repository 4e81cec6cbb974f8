"""What ansible/central.yml checks before it changes anything on a server: run for real, with
the servers played by this machine (local connection, check mode), stopping at the check."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

from wdtest.central_deploy import ANSIBLE_DIR, ansible_bin, ansible_env, routers_tools_packages


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
            ansible_bin("ansible-playbook"),
            "-i",
            str(tmp_path / "hosts.yml"),
            "--check",
            "central.yml",
        ],
        cwd=ANSIBLE_DIR,
        env=ansible_env(tmp_path),
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


def test_the_servers_ansible_is_the_one_the_tests_run_routers_yml_with() -> None:
    # routers_tools installs on the server what the dev extra gives the tests: the same specs.
    dev = tomllib.loads((ANSIBLE_DIR.parent / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]["dev"]
    wanted = [spec for spec in dev if spec.startswith(("ansible>", "librouteros"))]
    assert sorted(routers_tools_packages()) == sorted(wanted)
