"""Deploying `ansible/central.yml` to wdtest.debian_target machines (the central server and a
statistics replica), and talking to what it deployed: an inventory with a vault the test
encrypts, certificates from a CA of the test's own, HTTPS through the deployed nginx, an admin
signed in there, RADIUS from a router's address, the deployed CLI."""

from __future__ import annotations

import asyncio
import json
import os
import re
import secrets
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from pyrad import packet
from pyrad.client import Client, Timeout

from radius.dictionary import load_dictionary
from radius.simulator.load import SimReport, run_clients
from radius.simulator.router import RouterSimulator, SimRouter
from wdtest.debian_target import ROUTER_NETWORK, Target

REPO = Path(__file__).resolve().parents[3]
ANSIBLE_DIR = REPO / "ansible"
PORTAL_HOST = "portal.wifidesa.test"
ADMIN_HOST = "admin.wifidesa.test"
# The machines' names; the central server's inventory name is the portal's host name.
CENTRAL_MACHINE = "wdt-central"
REPLICA_MACHINE = "wdt-stats"
ROUTER_SECRET = secrets.token_urlsafe(24)
PLAYBOOK_TIMEOUT = 1800  # seconds; a first run takes a few minutes


@dataclass
class Deployment:
    target: Target  # the central server
    replica: Target  # the statistics replica
    work: Path
    ca_file: Path
    first_run: subprocess.CompletedProcess[str]

    def playbook(self) -> subprocess.CompletedProcess[str]:
        return run_playbook(self.work)


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_certificates(work: Path) -> Path:
    """A CA of the test's own and a certificate from it for both host names."""
    _openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=wifidesa deploy test CA",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        cwd=work,
    )
    _openssl(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        f"/CN={PORTAL_HOST}",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        cwd=work,
    )
    (work / "san.ext").write_text(f"subjectAltName=DNS:{PORTAL_HOST},DNS:{ADMIN_HOST}\n")
    _openssl(
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "san.ext",
        "-out",
        "server.pem",
        cwd=work,
    )
    return work / "ca.pem"


def _host(target: Target) -> dict[str, str]:
    return {
        "ansible_host": target.address,
        "ansible_user": "root",
        "ansible_ssh_private_key_file": str(target.ssh_key),
        "ansible_ssh_common_args": "-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null",
        "ansible_python_interpreter": "/usr/bin/python3",
    }


def routers_tools_packages() -> list[str]:
    """What central.yml installs for routers.yml on the server (the routers_tools role's list),
    for the wheelhouse."""
    lines = (ANSIBLE_DIR / "roles/routers_tools/defaults/main.yml").read_text().splitlines()
    start = lines.index("routers_tools_packages:") + 1
    packages = []
    for line in lines[start:]:
        if not line.startswith("  - "):
            break
        packages.append(line.removeprefix("  - ").strip())
    return packages


def write_hosts(work: Path, central: Target, replica: Target | None) -> None:
    """The inventory's hosts: the central server, and the statistics replica unless None."""
    hosts: dict[str, object] = {"central": {"hosts": {PORTAL_HOST: _host(central)}}}
    if replica is not None:
        hosts["stats_replica"] = {"hosts": {REPLICA_MACHINE: _host(replica)}}
    (work / "inventory" / "hosts.yml").write_text(json.dumps(hosts))


def write_inventory(work: Path, central: Target, replica: Target, house: Path) -> None:
    """An inventory as an operator's, with its secrets in a vault the test encrypts."""
    inventory = work / "inventory"
    group_vars = inventory / "group_vars" / "central"
    group_vars.mkdir(parents=True)
    write_hosts(work, central, replica)
    settings = {
        "wifidesa_admin_host": ADMIN_HOST,
        "wifidesa_wheelhouse": str(house),
        "wifidesa_build_dir": str(work / "build"),
        "firewall_radius_sources": [ROUTER_NETWORK],
        # SSH from the test's network only, on both servers (the replica takes it from here).
        "firewall_ssh_sources": [ROUTER_NETWORK],
        "proxy_tls_certificate": (work / "server.pem").read_text(),
    }
    (group_vars / "vars.yml").write_text(json.dumps(settings))
    vault = {
        "vault_wifidesa_secret_key": secrets.token_urlsafe(48),
        "vault_wifidesa_device_hash_key": secrets.token_urlsafe(32),
        "vault_wifidesa_database_password": secrets.token_urlsafe(24),
        # With the characters .pgpass must escape.
        "vault_postgresql_replication_password": secrets.token_urlsafe(18) + ":\\:",
        "vault_proxy_tls_key": (work / "server.key").read_text(),
    }
    (group_vars / "vault.yml").write_text(json.dumps(vault))
    (work / "vault-password").write_text(secrets.token_urlsafe(24))
    subprocess.run(
        [
            ansible_bin("ansible-vault"),
            "encrypt",
            "--vault-password-file",
            str(work / "vault-password"),
            str(group_vars / "vault.yml"),
        ],
        check=True,
        capture_output=True,
        env=ansible_env(work),
    )


def ansible_bin(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def ansible_env(work: Path) -> dict[str, str]:
    return {
        **os.environ,
        "ANSIBLE_HOME": str(work / "ansible-home"),
        "ANSIBLE_LOCAL_TEMP": str(work / "ansible-tmp"),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_RETRY_FILES_ENABLED": "0",
        # Each task's time in the log (playbook.log), and the slowest after the recap.
        "ANSIBLE_CALLBACKS_ENABLED": "ansible.posix.profile_tasks",
        "PYTHONWARNINGS": "ignore",
    }


def run_playbook(work: Path, *options: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [
            ansible_bin("ansible-playbook"),
            "-i",
            str(work / "inventory"),
            "--vault-password-file",
            str(work / "vault-password"),
            *options,
            "central.yml",
        ],
        cwd=ANSIBLE_DIR,
        text=True,
        capture_output=True,
        timeout=PLAYBOOK_TIMEOUT,
        env=ansible_env(work),
    )
    with (work / "playbook.log").open("a") as log:
        log.write(result.stdout + result.stderr)
    return result


def recap(result: subprocess.CompletedProcess[str], host: str = PORTAL_HOST) -> dict[str, int]:
    line = next(line for line in result.stdout.splitlines() if host + " " in line and "ok=" in line)
    return {name: int(value) for name, value in re.findall(r"(\w+)=(\d+)", line)}


def https(d: Deployment, host: str, path: str, *extra: str) -> tuple[int, str]:
    """GET (or what `extra` says) through the deployed nginx, checking its certificate
    against the test's CA for `host`; the status and the body."""
    result = subprocess.run(
        [
            "curl",
            "-sS",
            "--max-time",
            "30",
            "--cacert",
            str(d.ca_file),
            "--resolve",
            f"{host}:443:{d.target.address}",
            "-o",
            "-",
            "-w",
            "\n%{http_code}",
            *extra,
            f"https://{host}{path}",
        ],
        check=True,
        text=True,
        capture_output=True,
    )
    body, _, status = result.stdout.rpartition("\n")
    return int(status), body


def cli(d: Deployment, command: str) -> str:
    """The deployed `wifidesa` command, as an operator runs it on the server."""
    return d.target.ssh(f"wifidesa {command}").stdout


def access_request(d: Deployment, source: str, code: str, *, timeout: float) -> int | None:
    """A router's PAP login of voucher `code`, sent from `source`: the reply's code, or None."""
    client = Client(
        server=d.target.address,
        authport=1812,
        acctport=1813,
        secret=ROUTER_SECRET.encode(),
        dict=load_dictionary(),
        timeout=timeout,
        retries=1,
    )
    client.bind((source, 0))
    try:
        request = client.CreateAuthPacket(code=packet.AccessRequest, User_Name=code)
        request["User-Password"] = request.PwCrypt(code)
        request["Calling-Station-Id"] = "AA:BB:CC:00:00:01"
        request.add_message_authenticator()
        return int(client.SendPacket(request).code)
    except Timeout:
        return None
    finally:
        client._CloseSocket()


def simulate_clients(
    d: Deployment, source: str, nas_identifier: str, codes: list[str]
) -> SimReport:
    """wifidesa's router simulator at `source` (a registered router's address) against the
    deployed RADIUS: a CHAP login per voucher code, then Start, two Interim-Updates and Stop."""
    router = SimRouter(
        secret=ROUTER_SECRET,
        source_ip=source,
        server=d.target.address,
        nas_identifier=nas_identifier,
        timeout=3.0,
    )

    async def clients() -> SimReport:
        async with RouterSimulator(router) as simulated:
            return await run_clients(simulated, codes, chap=True, interims=2)

    return asyncio.run(clients())


def province_admin(d: Deployment, username: str) -> str:
    """A province admin made with the deployed CLI; its password."""
    password = secrets.token_urlsafe(16)
    d.target.ssh(
        f"echo '{password}' | wifidesa admins add {username} --role province --password-stdin"
    )
    return password


def signed_in_get(d: Deployment, path: str, *, username: str, password: str) -> tuple[int, str]:
    """GET `path` on the admin host as `username`, signed in through the sign-in form as a
    browser is (its cookies kept in a jar): the status and the body."""
    jar = str(d.work / f"cookies-{username}")
    _, form = https(d, ADMIN_HOST, "/admin/login", "-c", jar)
    found = re.search(r'name="csrf" value="([^"]+)"', form)
    assert found, form[:2000]
    status, _ = https(
        d,
        ADMIN_HOST,
        "/admin/login",
        "-b",
        jar,
        "-c",
        jar,
        *("--data-urlencode", f"csrf={found.group(1)}"),
        *("--data-urlencode", f"username={username}"),
        *("--data-urlencode", f"password={password}"),
    )
    assert status == 303, status
    return https(d, ADMIN_HOST, path, "-b", jar)


def psql(target: Target, query: str, database: str = "wifidesa") -> str:
    """A query's rows (unaligned, `|` between columns) as the postgres user on `target`."""
    return target.ssh(f'runuser -u postgres -- psql -XAt -d {database} -c "{query}"').stdout


def can_connect(address: str, port: int, *, timeout: float = 3.0) -> bool:
    """Whether a TCP connection from this machine to `address`:`port` is accepted."""
    try:
        socket.create_connection((address, port), timeout=timeout).close()
    except OSError:
        return False
    return True
