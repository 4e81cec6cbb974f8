"""`wifidesa routers inventory` (Ansible's JSON) and `wifidesa routers credentials`."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.orm import Session, sessionmaker
from wdtest.factories import make_router, make_site

from wifidesa.admin.scope import OPERATOR
from wifidesa.cli.main import main
from wifidesa.crypto import SecretBox
from wifidesa.places.router_api import RouterApi, set_router_api

SECRET = "radius-secret-for-the-cli-test"


def test_inventory_lists_hosts_and_credentials_print_the_secrets_as_json(
    cli_env: None,
    sessions: sessionmaker[Session],
    box: SecretBox,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with sessions.begin() as session:
        router = make_router(session, box, site=make_site(session, code="desa-a"), secret=SECRET)
        api = RouterApi(host="10.8.0.3", username="ansible", password="api-pw-cli-test")
        set_router_api(session=session, scope=OPERATOR, box=box, router_id=router.id, api=api)
        name = router.name

    assert main(["routers", "inventory", "--list"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed["site_desa_a"]["hosts"] == [name]
    assert main(["routers", "inventory", "--host", name]) == 0
    assert json.loads(capsys.readouterr().out)["ansible_host"] == "10.8.0.3"
    assert main(["routers", "credentials", name, "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "radius_secret": SECRET,
        "api_password": "api-pw-cli-test",
    }
    assert main(["routers", "credentials", "nowhere", "--json"]) == 1
    assert capsys.readouterr().err == "wifidesa: error: no router named 'nowhere'\n"
