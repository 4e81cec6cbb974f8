"""A fresh Debian 12 machine on this one, for the deploy test of `ansible/central.yml`.

debootstrap makes the tree (cached as a tarball keyed by what goes into it, so a second run
skips it); `systemd-nspawn -b` boots it with systemd as PID 1 in a network namespace of its own,
joined to this machine by a veth pair (10.231.0.1 here, 10.231.0.2 there), and Ansible reaches
it over SSH with a key the test makes. The namespace has no route out (no forwarding): the
packages the playbook installs are downloaded into the tree's apt cache when the tarball is
made, and Python's come from a wheelhouse (`wheelhouse()`), so the playbook's own `apt` and
`pip` steps really install them, offline.

Everything a target starts goes again on exit, also on failure: the nspawn machine (its mounts
live in its own mount namespace), the network namespace with its veth pair, and the tree.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SUITE = "bookworm"
MIRROR = "http://deb.debian.org/debian"
# In the tree from the start: what a minimal server installed with SSH has, and Ansible needs.
BOOT_PACKAGES = (
    "systemd,systemd-sysv,dbus,libpam-systemd,openssh-server,python3,python3-apt,iproute2,"
    "ca-certificates,curl"
)
# Downloaded only: the playbook installs them (keep in step with ansible/roles/*/tasks).
PLAYBOOK_PACKAGES = (
    "postgresql-15",
    "postgresql-client-15",
    "python3-psycopg2",
    "sudo",
    "acl",
    "python3-venv",
    "nginx",
    "openssl",
    "nftables",
    "logrotate",
)
NETNS = "wdt-central"
HOST_VETH = "wdt-h"
TARGET_VETH = "wdt-c"
HOST_ADDRESS = "10.231.0.1"
TARGET_ADDRESS = "10.231.0.2"
ROUTER_NETWORK = "10.231.0.0/24"
# A second address here, outside the routers' networks: a router the firewall must refuse.
OUTSIDER_ADDRESS = "10.232.0.1"
HOSTNAME = "wdt-central"
BOOT_TIMEOUT = 180.0  # seconds until SSH answers; a busy machine is slow, never this slow
STOP_TIMEOUT = 60.0


def default_cache_dir() -> Path:
    return Path(os.environ.get("WIFIDESA_DEPLOY_CACHE", "/var/cache/wifidesa-deploy-test"))


def _run(*argv: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, check=True, text=True, capture_output=True, **kwargs)  # type: ignore[call-overload, no-any-return]


def _key(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def rootfs_tarball(cache_dir: Path) -> Path:
    """The debootstrapped tree with the playbook's packages in its apt cache, as a tarball;
    made once per package list."""
    key = _key(SUITE, MIRROR, BOOT_PACKAGES, *PLAYBOOK_PACKAGES)
    tarball = cache_dir / f"debian-{SUITE}-{key}.tar"
    if tarball.exists():
        return tarball
    cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache_dir, prefix="build-") as work:
        tree = Path(work) / "rootfs"
        _run(
            "debootstrap",
            "--variant=minbase",
            f"--include={BOOT_PACKAGES}",
            SUITE,
            str(tree),
            MIRROR,
        )
        (tree / "etc/apt/sources.list").write_text(
            f"deb {MIRROR} {SUITE} main\ndeb {MIRROR} {SUITE}-updates main\n"
        )
        shutil.copy("/etc/resolv.conf", tree / "etc/resolv.conf")
        _run("chroot", str(tree), "apt-get", "update", "-qq")
        _run(
            "chroot",
            str(tree),
            "apt-get",
            "install",
            "-y",
            "-qq",
            "--download-only",
            *PLAYBOOK_PACKAGES,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
        # As the machine it plays: its own name resolves, no name server is reachable.
        (tree / "etc/resolv.conf").write_text("")
        (tree / "etc/hostname").write_text(HOSTNAME + "\n")
        (tree / "etc/hosts").write_text(f"127.0.0.1\tlocalhost\n127.0.1.1\t{HOSTNAME}\n")
        partial = tarball.with_suffix(".partial")
        _run("tar", "--numeric-owner", "-C", str(tree), "-cf", str(partial), ".")
        partial.rename(tarball)
    return tarball


def wheelhouse(cache_dir: Path, pyproject: Path) -> Path:
    """Wheels of wifidesa's dependencies (and setuptools to build it), for a server without
    PyPI; made once per dependency list."""
    deps = tomllib.loads(pyproject.read_text())["project"]["dependencies"]
    build = tomllib.loads(pyproject.read_text())["build-system"]["requires"]
    wanted = [*build, *deps]
    house = cache_dir / f"wheelhouse-{_key(sys.version, *wanted)}"
    if not house.exists():
        partial = house.with_suffix(".partial")
        shutil.rmtree(partial, ignore_errors=True)
        _run(sys.executable, "-m", "pip", "wheel", "-q", "--wheel-dir", str(partial), *wanted)
        partial.rename(house)
    return house


@dataclass
class Target:
    """A booted Debian 12 machine reachable at `address` with root's `ssh_key`."""

    address: str
    ssh_key: Path
    console_log: Path

    def ssh_argv(self) -> list[str]:
        return [
            "ssh",
            "-i",
            str(self.ssh_key),
            "-o",
            "BatchMode=yes",
            "-o",
            "LogLevel=ERROR",
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "UserKnownHostsFile=/dev/null",
            "-o",
            "ConnectTimeout=5",
            f"root@{self.address}",
        ]

    def ssh(self, command: str, *, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run a shell command on the target as root."""
        return subprocess.run(
            [*self.ssh_argv(), command], check=check, text=True, capture_output=True, timeout=300
        )


def _remove_network() -> None:
    # The veth pair goes with the namespace that holds one of its ends.
    subprocess.run(["ip", "netns", "delete", NETNS], capture_output=True)
    subprocess.run(["ip", "link", "delete", HOST_VETH], capture_output=True)


def _make_network() -> None:
    _remove_network()  # what a killed earlier run left
    _run("ip", "netns", "add", NETNS)
    _run(
        "ip", "link", "add", HOST_VETH, "type", "veth", "peer", "name", TARGET_VETH, "netns", NETNS
    )
    _run("ip", "addr", "add", f"{HOST_ADDRESS}/24", "dev", HOST_VETH)
    _run("ip", "addr", "add", f"{OUTSIDER_ADDRESS}/24", "dev", HOST_VETH)
    _run("ip", "link", "set", HOST_VETH, "up")
    inside = ("ip", "-n", NETNS)
    _run(*inside, "addr", "add", f"{TARGET_ADDRESS}/24", "dev", TARGET_VETH)
    _run(*inside, "link", "set", TARGET_VETH, "up")
    _run(*inside, "link", "set", "lo", "up")
    _run(*inside, "route", "add", "default", "via", HOST_ADDRESS)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)  # nspawn asks the machine's systemd to power off
    try:
        proc.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=STOP_TIMEOUT)


def _pid_file(cache_dir: Path) -> Path:
    return cache_dir / "running-machine"


def _stop_leftover(cache_dir: Path) -> None:
    """A run killed outright (SIGKILL, a lost CI job) leaves its machine booted: stop it and
    remove its tree before a new one takes the network namespace's name."""
    record = _pid_file(cache_dir)
    if not record.exists():
        return
    pid_text, _, tree = record.read_text().partition("\n")
    with contextlib.suppress(OSError, ValueError):
        cmdline = Path(f"/proc/{int(pid_text)}/cmdline").read_bytes()
        if b"systemd-nspawn" in cmdline and f"--machine={HOSTNAME}".encode() in cmdline:
            os.killpg(int(pid_text), signal.SIGKILL)
            time.sleep(1)
    if tree.strip():
        shutil.rmtree(tree.strip(), ignore_errors=True)
    record.unlink()


def _wait_for_ssh(target: Target, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + BOOT_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the machine stopped while booting; see {target.console_log}")
        if target.ssh("systemctl is-system-running --wait", check=False).returncode in (0, 1):
            return
        time.sleep(1)
    raise RuntimeError(f"no SSH on {target.address} after {BOOT_TIMEOUT:.0f} s")


@contextlib.contextmanager
def debian_target(cache_dir: Path, work_dir: Path) -> Iterator[Target]:
    """Boot a fresh Debian 12 from the cached tarball; stop and remove it all on exit."""
    tarball = rootfs_tarball(cache_dir)
    _stop_leftover(cache_dir)
    tree = work_dir / "rootfs"
    tree.mkdir(parents=True)
    proc: subprocess.Popen[bytes] | None = None
    try:
        _run("tar", "--numeric-owner", "-C", str(tree), "-xf", str(tarball))
        key = work_dir / "id_ed25519"
        _run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key))
        ssh_dir = tree / "root/.ssh"
        ssh_dir.mkdir(mode=0o700, exist_ok=True)
        shutil.copy(key.with_suffix(".pub"), ssh_dir / "authorized_keys")
        _make_network()
        console = work_dir / "console.log"
        with console.open("wb") as log:
            proc = subprocess.Popen(
                [
                    "systemd-nspawn",
                    "--boot",
                    f"--directory={tree}",
                    f"--machine={HOSTNAME}",
                    # No systemd on this machine to register with or to make a scope.
                    "--register=no",
                    "--keep-unit",
                    f"--network-namespace-path=/run/netns/{NETNS}",
                    # nftables inside the machine's own network namespace.
                    "--capability=CAP_NET_ADMIN",
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        _pid_file(cache_dir).write_text(f"{proc.pid}\n{tree}")
        target = Target(address=TARGET_ADDRESS, ssh_key=key, console_log=console)
        _wait_for_ssh(target, proc)
        yield target
    finally:
        if proc is not None:
            _stop(proc)
        _remove_network()
        shutil.rmtree(tree, ignore_errors=True)
        _pid_file(cache_dir).unlink(missing_ok=True)
