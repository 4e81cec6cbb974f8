"""Fresh Debian 12 machines on this one, for the deploy test of `ansible/central.yml`.

debootstrap makes the tree (cached as a tarball keyed by what goes into it, so a second run
skips it); `systemd-nspawn -b` boots a copy of it per machine with systemd as PID 1, each in a
network namespace of its own joined by a veth pair to a bridge on this machine (10.231.0.1 here;
10.231.0.2, .3, ... there), so the machines reach each other and this one, and Ansible reaches
them over SSH with a key the test makes. The namespace has no route out (no forwarding): the
packages the playbook installs are downloaded into the tree's apt cache when the tarball is
made, and Python's come from a wheelhouse (`wheelhouse()`), so the playbook's own `apt` and
`pip` steps really install them, offline.

Everything the targets start goes again on exit, also on failure: the nspawn machines (their
mounts live in their own mount namespaces), the network namespaces with their veth pairs, the
bridge, and the trees.
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
from collections.abc import Iterator, Sequence
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
BRIDGE = "wdt-br"
HOST_ADDRESS = "10.231.0.1"
ROUTER_NETWORK = "10.231.0.0/24"
# A second address here, outside the routers' networks: a router the firewall must refuse.
OUTSIDER_ADDRESS = "10.232.0.1"
MAX_MACHINES = 4
BOOT_TIMEOUT = (
    180.0  # seconds until every machine's SSH answers; a busy machine is slow, never this slow
)
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
        # As the machines it plays: no name server is reachable (their names: _unpack).
        (tree / "etc/resolv.conf").write_text("")
        partial = tarball.with_suffix(".partial")
        _run("tar", "--numeric-owner", "-C", str(tree), "-cf", str(partial), ".")
        partial.rename(tarball)
    return tarball


def wheelhouse(cache_dir: Path, pyproject: Path, extra: Sequence[str] = ()) -> Path:
    """Wheels of wifidesa's dependencies (and setuptools to build it) and of `extra`, for a
    server without PyPI; made once per package list."""
    deps = tomllib.loads(pyproject.read_text())["project"]["dependencies"]
    build = tomllib.loads(pyproject.read_text())["build-system"]["requires"]
    wanted = [*build, *deps, *extra]
    house = cache_dir / f"wheelhouse-{_key(sys.version, *wanted)}"
    if not house.exists():
        partial = house.with_suffix(".partial")
        shutil.rmtree(partial, ignore_errors=True)
        _run(sys.executable, "-m", "pip", "wheel", "-q", "--wheel-dir", str(partial), *wanted)
        partial.rename(house)
    return house


@dataclass
class Target:
    """A booted Debian 12 machine named `name`, reachable at `address` with root's `ssh_key`."""

    name: str
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


def _address(index: int) -> str:
    return f"10.231.0.{index + 2}"


def _netns(index: int) -> str:
    return f"wdt-m{index}"


def _remove_network(count: int) -> None:
    # A veth pair goes with the namespace that holds one of its ends.
    for index in range(count):
        subprocess.run(["ip", "netns", "delete", _netns(index)], capture_output=True)
        subprocess.run(["ip", "link", "delete", f"wdt-h{index}"], capture_output=True)
    subprocess.run(["ip", "link", "delete", BRIDGE], capture_output=True)


def _make_network(count: int) -> None:
    """A bridge here holding this machine's addresses, and per machine a namespace joined to
    it by a veth pair. No forwarding: the machines reach each other and this one, nothing else."""
    _remove_network(MAX_MACHINES)  # what a killed earlier run left
    _run("ip", "link", "add", BRIDGE, "type", "bridge")
    _run("ip", "addr", "add", f"{HOST_ADDRESS}/24", "dev", BRIDGE)
    _run("ip", "addr", "add", f"{OUTSIDER_ADDRESS}/24", "dev", BRIDGE)
    _run("ip", "link", "set", BRIDGE, "up")
    for index in range(count):
        netns, host_end, inner_end = _netns(index), f"wdt-h{index}", f"wdt-c{index}"
        _run("ip", "netns", "add", netns)
        _run(
            "ip", "link", "add", host_end, "type", "veth", "peer", "name", inner_end, "netns", netns
        )
        _run("ip", "link", "set", host_end, "master", BRIDGE)
        _run("ip", "link", "set", host_end, "up")
        inside = ("ip", "-n", netns)
        _run(*inside, "addr", "add", f"{_address(index)}/24", "dev", inner_end)
        _run(*inside, "link", "set", inner_end, "up")
        _run(*inside, "link", "set", "lo", "up")
        _run(*inside, "route", "add", "default", "via", HOST_ADDRESS)


def _stop(procs: Sequence[subprocess.Popen[bytes]]) -> None:
    """Power the machines off together; a machine still up after STOP_TIMEOUT is killed."""
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)  # nspawn asks the machine's systemd to power off
    deadline = time.monotonic() + STOP_TIMEOUT
    for proc in procs:
        try:
            proc.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=STOP_TIMEOUT)


def _pid_file(cache_dir: Path) -> Path:
    return cache_dir / "running-machines"


def _stop_leftovers(cache_dir: Path) -> None:
    """A run killed outright (SIGKILL, a lost CI job) leaves its machines booted: stop them and
    remove their trees before new ones take the network namespaces' names."""
    record = _pid_file(cache_dir)
    if not record.exists():
        return
    for line in record.read_text().splitlines():
        pid_text, _, tree = line.partition(" ")
        with contextlib.suppress(OSError, ValueError):
            cmdline = Path(f"/proc/{int(pid_text)}/cmdline").read_bytes()
            if b"systemd-nspawn" in cmdline and b"--machine=wdt-" in cmdline:
                os.killpg(int(pid_text), signal.SIGKILL)
                time.sleep(1)
        if tree.strip():
            shutil.rmtree(tree.strip(), ignore_errors=True)
    record.unlink()


def _wait_for_ssh(target: Target, proc: subprocess.Popen[bytes], deadline: float) -> None:
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{target.name} stopped while booting; see {target.console_log}")
        if target.ssh("systemctl is-system-running --wait", check=False).returncode in (0, 1):
            return
        time.sleep(1)
    raise RuntimeError(f"no SSH on {target.address} after {BOOT_TIMEOUT:.0f} s")


def _unpack(tarball: Path, tree: Path, name: str, public_key: Path) -> None:
    tree.mkdir(parents=True)
    _run("tar", "--numeric-owner", "-C", str(tree), "-xf", str(tarball))
    (tree / "etc/hostname").write_text(name + "\n")
    (tree / "etc/hosts").write_text(f"127.0.0.1\tlocalhost\n127.0.1.1\t{name}\n")
    ssh_dir = tree / "root/.ssh"
    ssh_dir.mkdir(mode=0o700, exist_ok=True)
    shutil.copy(public_key, ssh_dir / "authorized_keys")


def _boot(tree: Path, name: str, netns: str, console: Path) -> subprocess.Popen[bytes]:
    with console.open("wb") as log:
        return subprocess.Popen(
            [
                "systemd-nspawn",
                "--boot",
                f"--directory={tree}",
                f"--machine={name}",
                # No systemd on this machine to register with or to make a scope.
                "--register=no",
                "--keep-unit",
                f"--network-namespace-path=/run/netns/{netns}",
                # nftables inside the machine's own network namespace.
                "--capability=CAP_NET_ADMIN",
            ],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


@contextlib.contextmanager
def debian_targets(cache_dir: Path, work_dir: Path, names: Sequence[str]) -> Iterator[list[Target]]:
    """Boot a fresh Debian 12 per name (at 10.231.0.2, .3, ...) from the cached tarball, all at
    once; stop and remove them all on exit."""
    assert 0 < len(names) <= MAX_MACHINES and all(name.startswith("wdt-") for name in names)
    tarball = rootfs_tarball(cache_dir)
    _stop_leftovers(cache_dir)
    key = work_dir / "id_ed25519"
    _run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key))
    booted: list[tuple[subprocess.Popen[bytes], Path]] = []
    try:
        _make_network(len(names))
        targets = []
        for index, name in enumerate(names):
            tree = work_dir / f"rootfs-{name}"
            _unpack(tarball, tree, name, key.with_suffix(".pub"))
            console = work_dir / f"console-{name}.log"
            booted.append((_boot(tree, name, _netns(index), console), tree))
            _pid_file(cache_dir).write_text("".join(f"{p.pid} {t}\n" for p, t in booted))
            targets.append(
                Target(name=name, address=_address(index), ssh_key=key, console_log=console)
            )
        deadline = time.monotonic() + BOOT_TIMEOUT
        for target, (proc, _tree) in zip(targets, booted, strict=True):
            _wait_for_ssh(target, proc, deadline)
        yield targets
    finally:
        _stop([proc for proc, _tree in booted])
        _remove_network(len(names))
        for _proc, tree in booted:
            shutil.rmtree(tree, ignore_errors=True)
        _pid_file(cache_dir).unlink(missing_ok=True)
