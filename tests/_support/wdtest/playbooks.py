"""Running the real `ansible-playbook` of ansible/ in tests: against wifidesa's CLI (run from
this checkout) and the RouterOS double, with Ansible's files kept in the test's directory."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from wdtest import TEST_SECRET

ROOT = Path(__file__).resolve().parents[3]
ANSIBLE_DIR = ROOT / "ansible"
BIN = Path(sys.executable).parent
# No run may hang a test run: a playbook here takes well under a minute.
RUN_TIMEOUT = 300
_RECAP = re.compile(r"^(\S+)\s*: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M)


@dataclass(frozen=True)
class Recap:
    ok: int
    changed: int
    unreachable: int
    failed: int


@dataclass(frozen=True)
class Run:
    returncode: int
    output: str  # stdout and stderr together

    def recap(self) -> dict[str, Recap]:
        """PLAY RECAP per host."""
        return {
            m[1]: Recap(ok=int(m[2]), changed=int(m[3]), unreachable=int(m[4]), failed=int(m[5]))
            for m in _RECAP.finditer(self.output)
        }


def playbook_env(*, db_url: str, home: Path, public_url: str) -> dict[str, str]:
    """The environment of a playbook run: wifidesa's settings for the CLI it calls (the
    inventory script and the credentials lookup), Ansible's files under `home`."""
    cli = f"{shlex.quote(sys.executable)} -m wifidesa.cli.main --env-file /dev/null"
    return {
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(ROOT),
        "WIFIDESA_CLI": cli,
        "WIFIDESA_DATABASE_URL": db_url,
        "WIFIDESA_SECRET_KEY": TEST_SECRET,
        "WIFIDESA_PUBLIC_URL": public_url,
        "WIFIDESA_LOG_LEVEL": "WARNING",
        "WIFIDESA_API_TIMEOUT_SECONDS": "2",
        "ANSIBLE_HOME": str(home / "ansible"),
        "ANSIBLE_LOCAL_TMP": str(home / "ansible" / "tmp"),
        "ANSIBLE_RETRY_FILES_SAVE_PATH": str(home / "retry"),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_FORCE_COLOR": "0",
        "PYTHONWARNINGS": "ignore",
    }


def run_playbook(env: dict[str, str], *args: str, playbook: str = "routers.yml") -> Run:
    """`ansible-playbook PLAYBOOK ARGS` from ansible/ (its ansible.cfg and inventory)."""
    done = subprocess.run(
        [str(BIN / "ansible-playbook"), playbook, *args],
        cwd=ANSIBLE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )
    return Run(returncode=done.returncode, output=done.stdout)
