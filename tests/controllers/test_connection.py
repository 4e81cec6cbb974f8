"""One router's connection against the RouterOS double, through the real routeros-api."""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from wdtest.routeros import PASSWORD

from controllers.connection import MAX_FILE_BYTES, RouterConnection
from controllers.double import DoubleRouter, DoubleRunner
from controllers.double.tls import self_signed
from controllers.failures import RouterError
from controllers.timeouts import Timeouts
from wifidesa.fleet.samples import Failure
from wifidesa.fleet.targets import ApiTarget

NOW = datetime(2026, 3, 31, 16, 5, tzinfo=UTC)  # 00:05 WITA on 1 April
QUICK = Timeouts(connect=0.5, read=0.5)


def _target(router: DoubleRouter, **changes: object) -> ApiTarget:
    assert router.port is not None
    values: dict[str, object] = {
        "router_id": 7,
        "host": router.host,
        "port": router.port,
        "use_tls": False,
        "username": "admin",
        "password": PASSWORD,
    }
    return ApiTarget(**(values | changes))  # type: ignore[arg-type]


@pytest.fixture
def connection(double: DoubleRunner, router: DoubleRouter) -> Iterator[RouterConnection]:
    conn = RouterConnection(_target(router), QUICK)
    yield conn
    conn.close()


def test_a_poll_reports_every_health_field(
    router: DoubleRouter, connection: RouterConnection
) -> None:
    router.state.add_active(user="budi", mac_address="AA:BB:CC:00:00:01", address="10.5.50.2")
    router.state.add_active(user="V-7KQ2", mac_address="AA:BB:CC:00:00:02", address="10.5.50.3")
    wan = router.state.interfaces[0]
    before = router.state.counters(wan)
    sample = connection.poll(NOW)
    after = router.state.counters(wan)
    assert sample.failure is None
    assert sample.router_id == 7
    assert sample.at == NOW
    assert sample.identity == "desa-sebulu"
    assert sample.version == "7.16.2 (stable)"
    assert sample.board == "hAP ac^2"
    assert 3600 <= sample.uptime_seconds <= 3600 + 60  # type: ignore[operator]
    assert sample.cpu_load == router.state.cpu_load
    assert sample.free_memory == router.state.free_memory
    assert sample.total_memory == router.state.total_memory
    assert sample.hotspot_active == 2
    assert before[0] <= sample.wan_rx_bytes <= after[0]  # type: ignore[operator]
    assert before[1] <= sample.wan_tx_bytes <= after[1]  # type: ignore[operator]
    assert sample.rtt_ms is not None and sample.rtt_ms > 0


def test_the_wan_counters_come_from_the_named_interface(
    double: DoubleRunner, router: DoubleRouter
) -> None:
    conn = RouterConnection(_target(router, wan_interface="wlan1"), QUICK)
    sample = conn.poll(NOW)
    conn.close()
    wlan = router.state.interfaces[2]
    assert wlan.name == "wlan1"
    # wlan1 sends far more than it receives; ether1 the other way round.
    assert sample.wan_tx_bytes is not None and sample.wan_rx_bytes is not None
    assert sample.wan_tx_bytes > sample.wan_rx_bytes


def test_the_session_stays_open_and_a_poll_costs_four_commands(
    router: DoubleRouter, connection: RouterConnection
) -> None:
    connection.poll(NOW)
    assert router.commands == 1 + 4  # the login, then the poll
    connection.poll(NOW)
    assert router.commands == 1 + 4 + 4  # no second login


def test_a_restarted_router_is_polled_anew_and_its_uptime_went_back(
    double: DoubleRunner, router: DoubleRouter, connection: RouterConnection
) -> None:
    first = connection.poll(NOW)
    double.reboot(router)  # cuts the kept session
    second = connection.poll(NOW)
    assert second.failure is None
    assert second.uptime_seconds is not None and first.uptime_seconds is not None
    assert second.uptime_seconds < first.uptime_seconds


# -- failures ---------------------------------------------------------------------------------


def test_a_silent_router_times_out_within_the_configured_timeout(
    double: DoubleRunner, router: DoubleRouter, connection: RouterConnection
) -> None:
    double.set_faults(router, silent=True)
    started = time.monotonic()
    sample = connection.poll(NOW)
    elapsed = time.monotonic() - started
    assert sample.failure is Failure.TIMEOUT
    assert QUICK.connect <= elapsed < QUICK.connect + 5  # one timeout, not several
    assert not connection.connected


def test_a_router_falling_silent_mid_session_times_out_once(
    double: DoubleRunner, router: DoubleRouter, connection: RouterConnection
) -> None:
    assert connection.poll(NOW).failure is None
    double.set_faults(router, silent=True)
    started = time.monotonic()
    assert connection.poll(NOW).failure is Failure.TIMEOUT
    assert time.monotonic() - started < QUICK.read + 5
    assert not connection.connected


def test_after_a_timeout_the_next_poll_reads_no_stale_reply(
    double: DoubleRunner, router: DoubleRouter, connection: RouterConnection
) -> None:
    assert connection.poll(NOW).failure is None
    double.set_faults(router, delay=1.5)  # the answers arrive after our timeout...
    assert connection.poll(NOW).failure is Failure.TIMEOUT
    double.set_faults(router, delay=0.0)
    router.state.add_active(user="budi", mac_address="AA:BB:CC:00:00:01", address="10.5.50.2")
    time.sleep(1.6)  # ...and would be waiting on a kept session by now
    sample = connection.poll(NOW)
    assert sample.failure is None
    assert sample.identity == "desa-sebulu"
    assert sample.hotspot_active == 1


@pytest.mark.parametrize(
    ("faults", "failure"),
    [
        ({"refuse": True}, Failure.REFUSED),
        ({"wrong_password": True}, Failure.LOGIN),
        ({"drop_mid_reply": True}, Failure.DROPPED),
        ({"loss": 1.0}, Failure.TIMEOUT),
    ],
    ids=["refused", "wrong-password", "dropped", "lost"],
)
def test_each_fault_gives_its_failure(
    double: DoubleRunner,
    router: DoubleRouter,
    connection: RouterConnection,
    faults: dict[str, object],
    failure: Failure,
) -> None:
    double.set_faults(router, **faults)
    sample = connection.poll(NOW)
    assert sample.failure is failure
    assert sample.identity is None
    assert not connection.connected
    double.set_faults(router, **dict.fromkeys(faults, False))
    assert connection.poll(NOW).failure is None  # and it recovers with the router


def test_a_wrong_configured_password_is_a_login_failure(
    double: DoubleRunner, router: DoubleRouter
) -> None:
    conn = RouterConnection(_target(router, password="salah"), QUICK)
    assert conn.poll(NOW).failure is Failure.LOGIN


@pytest.fixture
def no_api_port() -> Iterator[int]:
    """A port whose peer answers the first thing it hears with bytes of no protocol."""
    listener = socket.create_server(("127.0.0.1", 0))

    def garbage() -> None:
        peer, _ = listener.accept()
        with peer, contextlib.suppress(OSError):  # the client resets when it gives up
            peer.recv(4096)
            peer.sendall(b"\xff\xfe not the RouterOS API")
            while peer.recv(4096):  # never the first to close
                pass

    thread = threading.Thread(target=garbage, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    thread.join(5)
    listener.close()


@pytest.mark.parametrize(("use_tls", "failure"), [(False, Failure.PROTOCOL), (True, Failure.TLS)])
def test_a_peer_speaking_no_api_is_a_protocol_or_tls_failure(
    no_api_port: int, use_tls: bool, failure: Failure
) -> None:
    target = ApiTarget(7, "127.0.0.1", no_api_port, use_tls, "admin", PASSWORD)
    conn = RouterConnection(target, QUICK)
    assert conn.poll(NOW).failure is failure
    conn.close()


def test_tls_polls_and_an_untrusted_certificate_is_a_tls_failure(tmp_path: Path) -> None:
    cert = self_signed(addresses=("127.0.0.1",))
    router = DoubleRouter(
        host="127.0.0.1", port=None, tls_port=0, tls=cert.server_context(), password=PASSWORD
    )
    trusted, stranger = tmp_path / "router-ca.pem", tmp_path / "other-ca.pem"
    trusted.write_bytes(cert.cert_pem)
    stranger.write_bytes(self_signed().cert_pem)
    with DoubleRunner([router]):
        assert router.tls_port is not None

        def poll(ca: Path | None) -> Failure | None:
            target = ApiTarget(
                7,
                router.host,
                router.tls_port or 0,
                True,
                "admin",
                PASSWORD,
                tls_ca_file=None if ca is None else str(ca),
            )
            conn = RouterConnection(target, QUICK)
            try:
                return conn.poll(NOW).failure
            finally:
                conn.close()

        assert poll(None) is None  # encrypted, certificate not checked
        assert poll(trusted) is None
        assert poll(stranger) is Failure.TLS


def test_no_password_reaches_a_log_line_or_an_error(
    double: DoubleRunner, router: DoubleRouter, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    conn = RouterConnection(_target(router), QUICK)
    double.set_faults(router, wrong_password=True)  # the library's trap quotes the /login sentence
    assert conn.poll(NOW).failure is Failure.LOGIN
    with pytest.raises(RouterError) as caught:
        conn.kick(user="budi")
    assert "invalid user name or password" in caught.value.detail
    assert PASSWORD not in caught.value.detail
    assert caplog.records, "the failure is logged"
    for record in caplog.records:
        assert PASSWORD not in record.getMessage()


# -- hotspot users, kicks, files --------------------------------------------------------------


def test_active_users_lists_the_hotspot(router: DoubleRouter, connection: RouterConnection) -> None:
    entry = router.state.add_active(
        user="budi",
        mac_address="AA:BB:CC:00:00:01",
        address="10.5.50.2",
        bytes_in=1200,
        bytes_out=56000,
    )
    [user] = connection.active_users()
    assert (user.id, user.user, user.mac_address, user.address) == (
        entry.id,
        "budi",
        "AA:BB:CC:00:00:01",
        "10.5.50.2",
    )
    assert (user.bytes_in, user.bytes_out) == (1200, 56000)


def test_kick_removes_the_matching_entries_from_the_router(
    router: DoubleRouter, connection: RouterConnection
) -> None:
    add = router.state.add_active
    add(user="budi", mac_address="AA:BB:CC:00:00:01", address="10.5.50.2")
    add(user="budi", mac_address="AA:BB:CC:00:00:02", address="10.5.50.3")
    add(user="siti", mac_address="AA:BB:CC:00:00:03", address="10.5.50.4")
    add(user="V-7KQ2", mac_address="AA:BB:CC:00:00:04", address="10.5.50.5")
    assert connection.kick(user="nobody") == 0
    assert connection.kick(mac="aa-bb-cc-00-00-03") == 1  # any spelling of the MAC
    assert connection.kick(user="budi", mac="AA:BB:CC:00:00:02") == 1
    assert connection.kick(user="budi") == 1
    assert [entry.user for entry in router.state.active] == ["V-7KQ2"]
    with pytest.raises(ValueError, match="user or a MAC"):
        connection.kick()


def test_put_file_creates_and_replaces_byte_identical(
    router: DoubleRouter, connection: RouterConnection
) -> None:
    page = "<html><body>Selamat datang di Wi-Fi Desa Sebulu — ☕</body></html>\r\n".encode()
    connection.put_file("hotspot/login.html", page)
    stored = router.state.file_named("hotspot/login.html")
    assert stored is not None and stored.contents == page
    newer = bytes(range(1, 256)) * 3  # any byte the API carries
    connection.put_file("hotspot/login.html", newer)
    assert [f.name for f in router.state.files] == ["hotspot/login.html"]  # replaced, not added
    assert router.state.file_named("hotspot/login.html").contents == newer  # type: ignore[union-attr]


def test_a_file_over_the_api_limit_is_refused_before_sending(
    router: DoubleRouter, connection: RouterConnection
) -> None:
    with pytest.raises(ValueError, match="over the API"):
        connection.put_file("hotspot/big.html", b"x" * (MAX_FILE_BYTES + 1))
    assert router.state.files == []
