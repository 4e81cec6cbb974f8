"""`ansible/central.yml` against two real, fresh Debian 12 machines booted on this one (systemd as
their PID 1, reached over SSH; wdtest.debian_target), the central server and a statistics
replica, then the deployed servers checked from outside: the web service through nginx over
TLS, both host names, the body limit, a RADIUS login from the routers' network, a router outside
it refused by the firewall, the hardened units, the log rotation, a backup restored, the replica
streaming and the statistics pages reading it, and a second run that changes nothing.

Minutes long and root only: `make test-deploy` (scripts/test_deploy.sh) runs it; the ordinary
test run skips it.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import time
from collections.abc import Iterator

import pytest
from pyrad import packet
from wdtest.central_deploy import (
    ADMIN_HOST,
    CENTRAL_MACHINE,
    PORTAL_HOST,
    REPLICA_MACHINE,
    REPO,
    ROUTER_SECRET,
    Deployment,
    access_request,
    ansible_bin,
    ansible_env,
    can_connect,
    cli,
    https,
    make_certificates,
    province_admin,
    psql,
    recap,
    routers_tools_packages,
    run_playbook,
    signed_in_get,
    simulate_clients,
    write_hosts,
    write_inventory,
)
from wdtest.debian_target import (
    HOST_ADDRESS,
    OUTSIDER_ADDRESS,
    debian_targets,
    default_cache_dir,
    wheelhouse,
)

from controllers.double import DoubleRouter, DoubleRunner, RouterState

pytestmark = [
    pytest.mark.deploy,
    pytest.mark.skipif(
        os.environ.get("WIFIDESA_TEST_DEPLOY") != "1",
        reason="boots a Debian machine for minutes: make test-deploy",
    ),
]


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    work = tmp_path_factory.mktemp("deploy")
    cache = default_cache_dir()
    house = wheelhouse(cache, REPO / "pyproject.toml", routers_tools_packages())
    ca_file = make_certificates(work)
    try:
        with debian_targets(cache, work, (CENTRAL_MACHINE, REPLICA_MACHINE)) as (central, replica):
            write_inventory(work, central, replica, house)
            first = run_playbook(work)
            assert first.returncode == 0, first.stdout[-6000:] + first.stderr[-2000:]
            yield Deployment(
                target=central, replica=replica, work=work, ca_file=ca_file, first_run=first
            )
    finally:
        # The trees are gone already; keep the logs, drop the rest (keys, vault, build).
        for child in work.iterdir():
            if child.name != "playbook.log" and not child.name.startswith("console-"):
                shutil.rmtree(child) if child.is_dir() else child.unlink()


@pytest.fixture(scope="module")
def village(deployed: Deployment) -> list[str]:
    """A site with two routers, one in the routers' network and one outside it, and vouchers;
    made with the deployed CLI. The voucher codes."""
    cli(
        deployed,
        "sites add --desa-code 64.02.01.2001 --desa-name Sumber --kecamatan Tenggarong --code smb",
    )
    cli(deployed, "profiles add --name harian --session-timeout 1h")
    for name, address in (("smb-1", HOST_ADDRESS), ("smb-out", OUTSIDER_ADDRESS)):
        cli(
            deployed,
            f"routers add --site smb --name {name} --ip {address} "
            f"--secret={ROUTER_SECRET} --hotspot-address {address}",
        )
    cli(
        deployed,
        "vouchers generate --site smb --profile harian --count 5 --csv /var/lib/wifidesa/v.csv",
    )
    rows = deployed.target.ssh("cat /var/lib/wifidesa/v.csv && rm /var/lib/wifidesa/v.csv").stdout
    return [line.split(",")[0] for line in rows.splitlines()[1:]]


def test_web_service_answers_its_health_check_through_nginx_over_tls(deployed: Deployment) -> None:
    status, body = https(deployed, PORTAL_HOST, "/healthz")
    assert status == 200
    assert json.loads(body)["database"] == "ok"


def test_admin_pages_answer_on_the_admin_host_only(deployed: Deployment) -> None:
    assert https(deployed, ADMIN_HOST, "/admin/login")[0] == 200
    assert https(deployed, PORTAL_HOST, "/admin/login")[0] == 404


def test_the_service_sees_the_client_address_nginx_saw(deployed: Deployment) -> None:
    probe = secrets.token_hex(8)
    spoofed = "203.0.113.9"
    https(deployed, PORTAL_HOST, f"/healthz?probe={probe}", "-H", f"X-Forwarded-For: {spoofed}")
    line = ""
    for _ in range(30):  # the web service's access line, bounded by attempts
        line = deployed.target.ssh(f"grep {probe} /var/log/wifidesa/web.log", check=False).stdout
        if line:
            break
        time.sleep(1)
    assert HOST_ADDRESS in line
    assert spoofed not in line


def test_plain_http_is_redirected_to_https(deployed: Deployment) -> None:
    result = subprocess.run(
        [
            "curl",
            "-sS",
            "--max-time",
            "30",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code} %{redirect_url}",
            "-H",
            f"Host: {PORTAL_HOST}",
            f"http://{deployed.target.address}/healthz",
        ],
        check=True,
        text=True,
        capture_output=True,
    )
    assert result.stdout == f"301 https://{PORTAL_HOST}/healthz"


def test_portal_refuses_a_body_over_its_limit(deployed: Deployment) -> None:
    big = deployed.work / "big.txt"
    big.write_bytes(b"x" * 200_000)
    assert https(deployed, PORTAL_HOST, "/login", "--data-binary", f"@{big}")[0] == 413


def test_radius_accepts_a_login_from_the_routers_network(
    deployed: Deployment, village: list[str]
) -> None:
    # The RADIUS service reloads its routers every 15 s: until then the new router is unknown
    # and unanswered. Bounded by attempts, not asserted on time.
    replies = [access_request(deployed, HOST_ADDRESS, village[0], timeout=3) for _ in range(20)]
    assert packet.AccessAccept in replies, replies


def test_the_simulator_logs_villagers_in_and_their_accounting_is_stored(
    deployed: Deployment, village: list[str]
) -> None:
    test_radius_accepts_a_login_from_the_routers_network(deployed, village)  # the router is known
    report = simulate_clients(deployed, HOST_ADDRESS, "smb-1", village[2:5])
    assert (report.clients, report.accepted, report.missing_message_authenticator) == (3, 3, 0)
    assert report.accounting_acknowledged == report.accounting_sent == 3 * 4
    closed = psql(
        deployed.target,
        "SELECT count(*), min(input_octets + output_octets) > 0 FROM sessions s "
        "JOIN routers r ON r.id = s.router_id WHERE r.name = 'smb-1' AND s.stopped_at IS NOT NULL",
    )
    assert closed.strip() == "3|t"


def test_the_server_provisions_a_village_router_with_routers_yml(
    deployed: Deployment, village: list[str]
) -> None:
    # A village router (the RouterOS double, here on the routers' network) brought onto the
    # deployed server as the guide says: its API registered with the deployed CLI, then
    # wifidesa-routers (the release's routers.yml with the server's inventory and secrets).
    api_password = secrets.token_urlsafe(12)
    router = DoubleRouter(
        host=HOST_ADDRESS,
        username="wifidesa",
        password=api_password,
        state=RouterState(identity="MikroTik", version="7.16.2 (stable)"),
    )
    with DoubleRunner([router]):
        cli(
            deployed,
            f"routers api smb-1 --host {HOST_ADDRESS} --port {router.port} --user wifidesa "
            f"--password={api_password} --no-tls",
        )
        provision = (
            f"wifidesa-routers -l smb-1 -e wifidesa_radius_address={deployed.target.address} "
            "-e wifidesa_management_network=10.231.0.0/24 -e wifidesa_api_timeout=5"
        )
        first = deployed.target.ssh(provision, check=False)
        assert first.returncode == 0, first.stdout[-4000:] + first.stderr[-2000:]
        again = deployed.target.ssh(provision, check=False)
        assert again.returncode == 0 and recap(again, "smb-1")["changed"] == 0, again.stdout[-3000:]
    assert recap(first, "smb-1")["changed"] > 0
    (radius,) = router.state.config_rows("/radius")
    assert (radius["address"], radius["secret"]) == (deployed.target.address, ROUTER_SECRET)
    assert [row["dst-host"] for row in router.state.config_rows("/ip/hotspot/walled-garden")] == [
        PORTAL_HOST
    ]
    assert router.state.identity == "smb-1"
    assert ROUTER_SECRET not in first.stdout + first.stderr
    assert api_password not in first.stdout + first.stderr


def test_firewall_drops_radius_from_outside_the_routers_networks(
    deployed: Deployment, village: list[str]
) -> None:
    # Registered like the first router (it would be answered), but outside firewall_radius_sources.
    test_radius_accepts_a_login_from_the_routers_network(deployed, village)
    counted = "nft list ruleset | grep 'counter packets'"
    before = int(re.findall(r"packets (\d+)", deployed.target.ssh(counted).stdout)[0])
    assert access_request(deployed, OUTSIDER_ADDRESS, village[1], timeout=3) is None
    after = int(re.findall(r"packets (\d+)", deployed.target.ssh(counted).stdout)[0])
    assert after > before


def test_each_service_runs_hardened_as_its_own_user(deployed: Deployment) -> None:
    for service in ("web", "radius", "poller", "notify", "stats"):
        shown = deployed.target.ssh(
            f"systemctl show wifidesa-{service} -p ActiveState -p User -p NoNewPrivileges "
            "-p ProtectSystem -p ProtectHome -p PrivateTmp -p Restart"
        ).stdout.split()
        assert sorted(shown) == sorted(
            [
                "ActiveState=active",
                "User=wifidesa",
                "NoNewPrivileges=yes",
                "ProtectSystem=strict",
                "ProtectHome=yes",
                "PrivateTmp=yes",
                "Restart=on-failure",
            ]
        ), service
    users = deployed.target.ssh("ps -o user= -C wifidesa-web,wifidesa-radius").stdout.split()
    assert users and set(users) == {"wifidesa"}


def test_a_killed_service_is_started_again(deployed: Deployment) -> None:
    show = "systemctl show wifidesa-poller -p MainPID -p NRestarts -p ActiveState --value"
    pid, restarts, _state = deployed.target.ssh(show).stdout.split()
    deployed.target.ssh(f"kill -KILL {pid}")
    # Restart=on-failure after RestartSec=5; bounded by attempts, not asserted on time.
    for _ in range(120):
        new_pid, new_restarts, state = deployed.target.ssh(show).stdout.split()
        if state == "active" and int(new_restarts) > int(restarts):
            break
        time.sleep(1)
    assert (state, int(new_restarts)) == ("active", int(restarts) + 1)
    assert new_pid != pid


def test_settings_file_is_for_root_and_the_service_only(deployed: Deployment) -> None:
    assert deployed.target.ssh("stat -c '%U %G %a' /etc/wifidesa/wifidesa.env").stdout.split() == [
        "root",
        "wifidesa",
        "640",
    ]


def test_logs_are_rotated(deployed: Deployment) -> None:
    deployed.target.ssh("logrotate --force /etc/logrotate.d/wifidesa")
    logs = deployed.target.ssh("ls /var/log/wifidesa").stdout.split()
    assert any(name.startswith("web.log-") for name in logs), logs


def test_backup_restores_into_a_fresh_database(deployed: Deployment, village: list[str]) -> None:
    timer = "systemctl is-enabled wifidesa-backup.timer; systemctl is-active wifidesa-backup.timer"
    assert deployed.target.ssh(timer).stdout.split() == ["enabled", "active"]
    deployed.target.ssh("systemctl start wifidesa-backup.service")
    dumps = deployed.target.ssh("ls /var/backups/wifidesa").stdout.split()
    assert len(dumps) == 1 and dumps[0].endswith(".dump"), dumps
    deployed.target.ssh(f"wifidesa-restore /var/backups/wifidesa/{dumps[0]} wifidesa_check")
    routers = "SELECT name FROM routers ORDER BY name"
    restored = psql(deployed.target, routers, "wifidesa_check").split()
    assert restored == ["smb-1", "smb-out"]
    assert restored == psql(deployed.target, routers).split()
    # Never over an existing database.
    again = deployed.target.ssh(
        f"wifidesa-restore /var/backups/wifidesa/{dumps[0]} wifidesa", check=False
    )
    assert again.returncode == 1 and "exists" in again.stderr


def test_the_replica_streams_from_the_central_server(deployed: Deployment) -> None:
    assert psql(deployed.replica, "SELECT pg_is_in_recovery()").strip() == "t"
    senders = psql(
        deployed.target,
        "SELECT application_name, state, ssl FROM pg_stat_replication JOIN pg_stat_ssl USING (pid)",
    )
    assert senders.split() == ["wifidesa_wdt_stats|streaming|t"]
    # The replication password stays with postgres on the replica.
    assert deployed.replica.ssh("stat -c '%U %a' /var/lib/postgresql/.pgpass").stdout.split() == [
        "postgres",
        "600",
    ]


def test_changes_on_the_central_server_reach_the_replica(
    deployed: Deployment, village: list[str]
) -> None:
    routers = "SELECT name FROM routers ORDER BY name"
    on_replica = ""
    for _ in range(30):  # bounded by attempts: replay follows the primary within moments
        on_replica = psql(deployed.replica, routers)
        if on_replica.split() == ["smb-1", "smb-out"]:
            break
        time.sleep(1)
    assert on_replica.split() == psql(deployed.target, routers).split() == ["smb-1", "smb-out"]


def test_statistics_pages_read_the_replica(deployed: Deployment, village: list[str]) -> None:
    password = province_admin(deployed, "prov-stats")
    page = ""
    for _ in range(30):  # until the replica has replayed a change since it started
        status, page = signed_in_get(
            deployed, "/admin/stats", username="prov-stats", password=password
        )
        assert status == 200, page[:2000]
        if "replika statistik" in page:
            break
        time.sleep(1)
    assert "Angka dari replika statistik: data sampai" in page
    # The replica down: the statistics say so, the rest of the admin and the portal go on.
    deployed.replica.ssh("systemctl stop postgresql@15-main")
    try:
        status, page = signed_in_get(
            deployed, "/admin/stats", username="prov-stats", password=password
        )
        assert status == 503 and "Basis data statistik sedang tidak dapat dihubungi" in page
        assert (
            signed_in_get(deployed, "/admin/", username="prov-stats", password=password)[0] == 200
        )
        assert https(deployed, PORTAL_HOST, "/healthz")[0] == 200
    finally:
        deployed.replica.ssh("systemctl start postgresql@15-main")


def test_postgresql_admits_only_the_other_server(deployed: Deployment) -> None:
    # The replica reaches the central server (it streams) and the web service the replica (the
    # pages above); from here, neither answers.
    assert not can_connect(deployed.target.address, 5432)
    assert not can_connect(deployed.replica.address, 5432)
    # The replica serves neither villagers nor routers, and takes SSH from where the central
    # server does.
    rules = deployed.replica.ssh("nft list ruleset").stdout
    assert "dport { 80, 443 }" not in rules and "udp dport" not in rules
    assert "ip saddr 10.231.0.0/24 tcp dport 22 accept" in rules
    assert "0.0.0.0/0" not in rules


def test_second_run_changes_nothing(deployed: Deployment) -> None:
    for host in (PORTAL_HOST, REPLICA_MACHINE):
        assert recap(deployed.first_run, host)["changed"] > 0
    second = deployed.playbook()
    assert second.returncode == 0, second.stdout[-4000:]
    for host in (PORTAL_HOST, REPLICA_MACHINE):
        assert recap(second, host)["changed"] == 0, [
            line for line in second.stdout.splitlines() if line.startswith(("changed:", "TASK"))
        ]


def test_check_mode_on_the_deployed_servers_finds_nothing_to_change(deployed: Deployment) -> None:
    checked = run_playbook(deployed.work, "--check", "--diff")
    assert checked.returncode == 0, checked.stdout[-4000:]
    for host in (PORTAL_HOST, REPLICA_MACHINE):
        assert recap(checked, host)["changed"] == 0


def _wait_for_streaming(d: Deployment) -> list[str]:
    senders: list[str] = []
    for _ in range(60):  # bounded by attempts: the replica connects within seconds
        senders = psql(d.target, "SELECT application_name, state FROM pg_stat_replication").split()
        if senders == ["wifidesa_wdt_stats|streaming"]:
            break
        time.sleep(1)
    return senders


def test_a_replica_copied_anew_streams_again(deployed: Deployment, village: list[str]) -> None:
    # What an operator does for a replica that was down so long its slot was given up.
    recopied = run_playbook(deployed.work, "-e", "postgresql_replica_recopy=true")
    assert recopied.returncode == 0, recopied.stdout[-4000:]
    assert _wait_for_streaming(deployed) == ["wifidesa_wdt_stats|streaming"]
    routers = "SELECT name FROM routers ORDER BY name"
    assert psql(deployed.replica, routers).split() == ["smb-1", "smb-out"]


def test_a_replica_taken_out_of_the_inventory_is_let_go(
    deployed: Deployment, village: list[str]
) -> None:
    # Last: the deployment is the plain one afterwards (no replica), and stays so on a rerun.
    assert _wait_for_streaming(deployed) == ["wifidesa_wdt_stats|streaming"]
    write_hosts(deployed.work, deployed.target, None)
    alone = run_playbook(deployed.work)
    assert alone.returncode == 0, alone.stdout[-4000:]
    assert psql(deployed.target, "SELECT slot_name FROM pg_replication_slots") == ""
    assert psql(deployed.target, "SELECT count(*) FROM pg_stat_replication").strip() == "0"
    assert psql(deployed.target, "SHOW listen_addresses").strip() == "localhost"
    assert psql(deployed.target, "SELECT rolname FROM pg_roles WHERE rolreplication "
                "AND rolname <> 'postgres'") == ""  # fmt: skip
    assert "replicator" not in deployed.target.ssh("cat /etc/postgresql/15/main/pg_hba.conf").stdout
    assert "5432" not in deployed.target.ssh("nft list ruleset").stdout
    assert "STATS_DATABASE_URL" not in deployed.target.ssh("cat /etc/wifidesa/wifidesa.env").stdout
    password = province_admin(deployed, "prov-main")
    status, page = signed_in_get(deployed, "/admin/stats", username="prov-main", password=password)
    assert status == 200 and "replika" not in page
    again = run_playbook(deployed.work)
    assert again.returncode == 0 and recap(again)["changed"] == 0, again.stdout[-4000:]


def test_no_secret_reaches_the_playbook_output(deployed: Deployment) -> None:
    vault = deployed.work / "inventory" / "group_vars" / "central" / "vault.yml"
    plain = subprocess.run(
        [
            ansible_bin("ansible-vault"),
            "view",
            "--vault-password-file",
            str(deployed.work / "vault-password"),
            str(vault),
        ],
        check=True,
        text=True,
        capture_output=True,
        env=ansible_env(deployed.work),
    ).stdout
    log = (deployed.work / "playbook.log").read_text()
    for name, value in json.loads(plain).items():
        if name != "vault_proxy_tls_key":
            assert value not in log, name
    assert "PRIVATE KEY" not in log
