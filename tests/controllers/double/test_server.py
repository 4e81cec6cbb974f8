"""The double through the real client libraries, unchanged, and through raw words."""

from __future__ import annotations

import socket
import ssl
import time

import librouteros
import pytest
import routeros_api
from librouteros.query import Key
from routeros_api.exceptions import (
    RouterOsApiCommunicationError,
    RouterOsApiConnectionError,
)
from wdtest.routeros import PASSWORD

from controllers.double import DoubleRouter, DoubleRunner, RouterState
from controllers.double.tls import self_signed
from controllers.double.wire import decode_length, encode_sentence, prefix_size


class RawClient:
    """Words on a plain socket, to see exactly what the double sends."""

    def __init__(self, router: DoubleRouter, timeout: float = 5.0) -> None:
        assert router.port is not None
        self.sock = socket.create_connection((router.host, router.port), timeout=timeout)

    def send(self, *words: bytes) -> None:
        self.sock.sendall(encode_sentence(words))

    def _exactly(self, size: int) -> bytes:
        data = b""
        while len(data) < size:
            chunk = self.sock.recv(size - len(data))
            if not chunk:
                raise ConnectionError("closed")
            data += chunk
        return data

    def sentence(self) -> list[bytes]:
        words = []
        while True:
            first = self._exactly(1)
            size = prefix_size(first[0])
            length = decode_length(first + self._exactly(size - 1))
            if length == 0:
                return words
            words.append(self._exactly(length))

    def login(self) -> None:
        self.send(b"/login", b"=name=admin", b"=password=" + PASSWORD.encode())
        assert self.sentence() == [b"!done"]

    def close(self) -> None:
        self.sock.close()


def _pool(router: DoubleRouter, **options: object) -> routeros_api.RouterOsApiPool:
    options.setdefault("plaintext_login", True)
    return routeros_api.RouterOsApiPool(
        router.host, username="admin", password=PASSWORD, port=router.port, **options
    )


@pytest.mark.parametrize("plaintext", [True, False], ids=["plain", "legacy-challenge"])
def test_routeros_api_logs_in_and_reads_the_resource(
    double: DoubleRunner, router: DoubleRouter, plaintext: bool
) -> None:
    pool = _pool(router, plaintext_login=plaintext)
    try:
        resource = pool.get_api().get_resource("/system/resource").get()[0]
    finally:
        pool.disconnect()
    assert resource["version"] == "7.16.2 (stable)"
    assert resource["board-name"] == "hAP ac^2"
    assert resource["uptime"] == "01:00:00" or resource["uptime"].startswith("01:00:0")
    assert int(resource["total-memory"]) >= int(resource["free-memory"]) > 0


@pytest.mark.parametrize("plaintext", [True, False], ids=["plain", "legacy-challenge"])
def test_a_wrong_password_is_refused(
    double: DoubleRunner, router: DoubleRouter, plaintext: bool
) -> None:
    pool = routeros_api.RouterOsApiPool(
        router.host, username="admin", password="wrong", port=router.port, plaintext_login=plaintext
    )
    with pytest.raises(RouterOsApiCommunicationError, match="invalid user name or password"):
        pool.get_api()
    pool.disconnect()


def test_every_reply_sentence_carries_the_commands_tag(
    double: DoubleRunner, router: DoubleRouter
) -> None:
    client = RawClient(router)
    client.login()
    client.send(b"/system/identity/print", b".tag=abc")
    assert client.sentence() == [b"!re", b"=name=desa-sebulu", b".tag=abc"]
    assert client.sentence() == [b"!done", b".tag=abc"]
    client.send(b"/tool/nothing/print", b".tag=7")
    assert client.sentence() == [b"!trap", b"=message=no such command prefix", b".tag=7"]
    assert client.sentence() == [b"!done", b".tag=7"]
    client.send(b"/system/identity/print")  # no tag asked, none sent (librouteros's case)
    assert client.sentence() == [b"!re", b"=name=desa-sebulu"]
    client.close()


def test_commands_before_login_are_refused(double: DoubleRunner, router: DoubleRouter) -> None:
    client = RawClient(router)
    client.send(b"/system/resource/print", b".tag=1")
    assert client.sentence()[0] == b"!trap"
    client.close()


def test_quit_ends_the_session_with_fatal(double: DoubleRunner, router: DoubleRouter) -> None:
    client = RawClient(router)
    client.login()
    client.send(b"/quit")
    assert client.sentence() == [b"!fatal", b"session terminated on request"]
    with pytest.raises(ConnectionError):
        client.sentence()
    client.close()


def test_cancel_interrupts_a_command_not_yet_answered(
    double: DoubleRunner, router: DoubleRouter
) -> None:
    client = RawClient(router)
    client.login()
    double.set_faults(router, delay=0.3)
    client.send(b"/interface/print", b".tag=1")
    client.send(b"/cancel", b"=tag=1", b".tag=2")
    replies = [client.sentence() for _ in range(3)]
    assert replies == [
        [b"!trap", b"=category=2", b"=message=interrupted", b".tag=1"],
        [b"!done", b".tag=1"],
        [b"!done", b".tag=2"],
    ]
    client.close()


def test_hotspot_users_are_counted_and_removed_through_routeros_api(
    double: DoubleRunner, router: DoubleRouter
) -> None:
    keep = router.state.add_active(
        user="budi", mac_address="AA:BB:CC:00:00:01", address="10.5.50.2"
    )
    gone = router.state.add_active(
        user="V-7KQ2", mac_address="AA:BB:CC:00:00:02", address="10.5.50.3"
    )
    pool = _pool(router)
    api = pool.get_api()
    active = api.get_resource("/ip/hotspot/active")
    counted = api.get_binary_resource("/ip/hotspot/active").call("print", {"count-only": b""})
    assert counted.done_message["ret"] == b"2"
    active.remove(id=gone.id)
    assert [row["user"] for row in active.get()] == ["budi"]
    pool.disconnect()
    assert [entry.id for entry in router.state.active] == [keep.id]


def test_librouteros_prints_adds_updates_and_removes(
    double: DoubleRunner, router: DoubleRouter
) -> None:
    api = librouteros.connect(router.host, "admin", PASSWORD, port=router.port, timeout=5)
    files = api.path("file")
    file_id = files.add(name="hotspot/login.html", contents="<html>satu</html>")
    files.update(**{".id": file_id, "contents": "<html>dua</html>"})
    assert router.state.file_named("hotspot/login.html").contents == b"<html>dua</html>"  # type: ignore[union-attr]
    wan = tuple(
        api.path("interface").select(Key("name"), Key("rx-byte")).where(Key("name") == "ether1")
    )
    assert [row["name"] for row in wan] == ["ether1"]
    assert wan[0]["rx-byte"] > 0
    files.remove(file_id)
    assert tuple(files) == ()
    api.close()


def test_librouteros_legacy_token_login(double: DoubleRunner, router: DoubleRouter) -> None:
    api = librouteros.connect(
        router.host, "admin", PASSWORD, port=router.port, timeout=5, login_method=librouteros.token
    )
    assert [row["name"] for row in api.path("system", "identity")] == ["desa-sebulu"]
    api.close()


def test_reboot_over_the_api_sets_uptime_back(double: DoubleRunner, router: DoubleRouter) -> None:
    api = librouteros.connect(router.host, "admin", PASSWORD, port=router.port, timeout=5)
    tuple(api("/system/reboot"))
    api.close()
    assert router.state.reboots == 1
    assert router.state.uptime_seconds() < 60


def test_api_over_tls_with_both_libraries() -> None:
    cert = self_signed(addresses=("127.0.0.1",))
    router = DoubleRouter(
        host="127.0.0.1", port=None, tls_port=0, tls=cert.server_context(), password=PASSWORD
    )
    with DoubleRunner([router]):
        pool = routeros_api.RouterOsApiPool(
            router.host,
            username="admin",
            password=PASSWORD,
            port=router.tls_port,
            plaintext_login=True,
            use_ssl=True,
            ssl_verify=False,
        )
        assert pool.get_api().get_resource("/system/identity").get()[0]["name"] == "MikroTik"
        pool.disconnect()
        context = ssl.create_default_context(cadata=cert.cert_pem.decode())
        api = librouteros.connect(
            router.host,
            "admin",
            PASSWORD,
            port=router.tls_port,
            timeout=5,
            ssl_wrapper=lambda sock: context.wrap_socket(sock, server_hostname="router.double"),
        )
        assert next(iter(api.path("system", "identity")))["name"] == "MikroTik"
        api.close()


# -- faults ----------------------------------------------------------------------------------


def test_delay_holds_every_reply_back(double: DoubleRunner, router: DoubleRouter) -> None:
    pool = _pool(router)
    api = pool.get_api()
    double.set_faults(router, delay=0.4)
    started = time.monotonic()
    api.get_resource("/system/identity").get()
    assert time.monotonic() - started >= 0.4
    pool.disconnect()


def test_a_silent_router_accepts_but_never_answers(
    double: DoubleRunner, router: DoubleRouter
) -> None:
    double.set_faults(router, silent=True)
    pool = _pool(router)
    pool.set_timeout(0.3)
    with pytest.raises(RouterOsApiConnectionError) as caught:
        pool.get_api()
    pool.disconnect()
    assert isinstance(caught.value.__context__, TimeoutError)


def test_a_refusing_router_closes_its_port_and_opens_it_again(
    double: DoubleRunner, router: DoubleRouter
) -> None:
    double.set_faults(router, refuse=True)
    with pytest.raises(RouterOsApiConnectionError) as caught:
        _pool(router).get_api()
    assert isinstance(caught.value.args[0], ConnectionRefusedError)
    double.set_faults(router, refuse=False)
    pool = _pool(router)
    assert pool.get_api().get_resource("/system/identity").get()[0]["name"] == "desa-sebulu"
    pool.disconnect()


def test_a_connection_dropped_mid_reply(double: DoubleRunner, router: DoubleRouter) -> None:
    pool = _pool(router)
    api = pool.get_api()
    double.set_faults(router, drop_mid_reply=True)
    with pytest.raises(RouterOsApiConnectionError):
        api.get_resource("/interface").get()
    assert not pool.connected  # the library itself let go of the broken session


def test_the_wrong_password_fault_refuses_the_right_password(
    double: DoubleRunner, router: DoubleRouter
) -> None:
    double.set_faults(router, wrong_password=True)
    pool = _pool(router)
    with pytest.raises(RouterOsApiCommunicationError, match="invalid user name or password"):
        pool.get_api()
    pool.disconnect()


def test_a_lossy_router_answers_about_the_rest(double: DoubleRunner, router: DoubleRouter) -> None:
    client = RawClient(router)
    client.login()
    double.set_faults(router, loss=0.25)
    for n in range(200):
        client.send(b"/system/identity/print", b"=.proplist=name", b".tag=%d" % n)
    while router.commands < 201:  # the login and the 200, all read by the double
        time.sleep(0.01)
    double.set_faults(router, loss=0.0)
    client.send(b"/system/identity/print", b".tag=last")
    answered = set()
    while (words := client.sentence()) != [b"!done", b".tag=last"]:
        if words[0] == b"!done":
            answered.add(words[-1])
    client.close()
    # The router's random numbers are seeded: the same commands go missing on every run.
    assert 120 < len(answered) < 180


def test_many_routers_on_their_own_loopback_addresses() -> None:
    routers = [
        DoubleRouter(host=f"127.0.3.{n}", state=RouterState(identity=f"r{n}"), password=PASSWORD)
        for n in range(1, 4)
    ]
    with DoubleRunner(routers):
        for router in routers:
            api = librouteros.connect(router.host, "admin", PASSWORD, port=router.port, timeout=5)
            assert next(iter(api.path("system", "identity")))["name"] == router.state.identity
            api.close()
