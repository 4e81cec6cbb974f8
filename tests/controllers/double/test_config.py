"""The configuration menus of the double, through librouteros (what community.routeros uses)."""

from __future__ import annotations

from collections.abc import Iterator

import librouteros
import pytest
from librouteros.api import Api
from librouteros.exceptions import TrapError
from wdtest.routeros import PASSWORD

from controllers.double import DoubleRouter, DoubleRunner, RouterState


def _connect(router: DoubleRouter) -> Api:
    return librouteros.connect(router.host, "admin", PASSWORD, port=router.port, timeout=5)


@pytest.fixture
def api(double: DoubleRunner, router: DoubleRouter) -> Iterator[Api]:
    connection = _connect(router)
    yield connection
    connection.close()


def test_a_radius_client_is_added_printed_with_defaults_changed_and_removed(
    api: Api, router: DoubleRouter
) -> None:
    radius = api.path("radius")
    new_id = radius.add(service="hotspot", address="10.64.0.1", secret="s3", comment="wifidesa")
    (row,) = list(radius)
    assert row[".id"] == new_id
    assert row["address"] == "10.64.0.1"
    assert row["authentication-port"] == 1812  # a default, printed as RouterOS prints it
    assert row["disabled"] is False
    assert row["require-message-auth"] == "yes-for-request-resp"  # the double runs 7.16
    radius.update(**{".id": new_id, "timeout": "3s", "disabled": True, "!comment": ""})
    stored = router.state.config_rows("/radius")[0]
    assert stored["timeout"] == "3s"
    assert stored["disabled"] == "true"  # yes/no in, true/false out
    assert "comment" not in stored
    radius.remove(new_id)
    assert list(radius) == []


def test_require_message_auth_is_unknown_before_routeros_7_15(double: DoubleRunner) -> None:
    old = DoubleRouter(host="127.0.0.2", password=PASSWORD, state=RouterState(version="7.14.3"))
    double.call(old.start())
    api = _connect(old)
    try:
        radius = api.path("radius")
        with pytest.raises(TrapError, match="unknown parameter require-message-auth"):
            radius.add(address="10.64.0.1", secret="s3", **{"require-message-auth": "no"})
        radius.add(address="10.64.0.1", secret="s3")
        assert "require-message-auth" not in next(iter(radius))
    finally:
        api.close()
        double.call(old.stop())


def test_radius_incoming_is_one_value_set_without_an_id(api: Api, router: DoubleRouter) -> None:
    incoming = api.path("radius", "incoming")
    assert list(incoming) == [{"accept": False, "port": 3799}]
    incoming.update(accept=True)
    assert list(incoming) == [{"accept": True, "port": 3799}]
    with pytest.raises(TrapError, match="no such command"):
        incoming.add(accept=True)


def test_hotspot_profiles_start_with_the_default_one_and_names_are_unique(api: Api) -> None:
    profiles = api.path("ip", "hotspot", "profile")
    (default,) = list(profiles)
    assert default["name"] == "default"
    assert default["login-by"] == "cookie,http-chap"
    profiles.add(name="wifidesa", **{"use-radius": True, "radius-interim-update": "5m"})
    with pytest.raises(TrapError, match="already have such name"):
        profiles.add(name="wifidesa")
    added = [row for row in profiles if row["name"] == "wifidesa"]
    assert added[0]["use-radius"] is True
    assert added[0]["radius-interim-update"] == "5m"


def test_walled_garden_entries_are_a_plain_list(api: Api) -> None:
    garden = api.path("ip", "hotspot", "walled-garden")
    new_id = garden.add(**{"dst-host": "portal.example.id", "comment": "wifidesa"})
    assert list(garden) == [
        {
            ".id": new_id,
            "action": "allow",
            "dst-host": "portal.example.id",
            "comment": "wifidesa",
            "disabled": False,
        }
    ]


def test_services_are_fixed_rows_that_can_only_be_set(api: Api, router: DoubleRouter) -> None:
    services = api.path("ip", "service")
    rows = {row["name"]: row for row in services}
    assert set(rows) == {"telnet", "ftp", "www", "ssh", "www-ssl", "api", "winbox", "api-ssl"}
    assert rows["api"]["port"] == 8728
    assert rows["api"]["address"] == ""
    services.update(**{".id": rows["api"][".id"], "address": "10.8.0.0/16", "disabled": False})
    services.update(**{".id": rows["telnet"][".id"], "disabled": True})
    stored = {row["name"]: row for row in router.state.config_rows("/ip/service")}
    assert stored["api"]["address"] == "10.8.0.0/16"
    assert stored["telnet"]["disabled"] == "true"
    with pytest.raises(TrapError, match="no such command"):
        services.add(name="gopher", port=70)
    with pytest.raises(TrapError, match="no such command"):
        services.remove(rows["ssh"][".id"])


def test_an_unknown_field_or_id_traps(api: Api) -> None:
    with pytest.raises(TrapError, match="unknown parameter colour"):
        api.path("radius").add(colour="red")
    with pytest.raises(TrapError, match="no such item"):
        api.path("radius").update(**{".id": "*99", "timeout": "1s"})
    with pytest.raises(TrapError, match="must be yes or no"):
        api.path("radius", "incoming").update(accept="maybe")
