"""`wifidesa keys`: after a leak the secret key is rotated, every stored secret moved to the
new key in one transaction, and device hashes stay the same once their key is pinned."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest
from pyrad import packet
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from wdtest.factories import make_batch, make_profile, make_router, make_site
from wdtest.radius import auth_request, client, running_radius

from wifidesa.cli.main import main
from wifidesa.crypto import SecretBox
from wifidesa.db.models import Router
from wifidesa.errors import ConfigError
from wifidesa.places.routers import nas_clients, router_secret
from wifidesa.settings import Settings

OLD_KEY = "old-leaked-secret-key-0123456789-abcdefgh"
NEW_KEY = "new-secret-key-after-the-leak-0123456789"
ROUTER_SECRET = "router-secret-0123456789"
API_PASSWORD = "routeros-api-password"


Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def cli(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Cli:
    """Run `wifidesa` with these keys in the environment: (exit code, stdout, stderr)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WIFIDESA_DATABASE_URL", db_url)
    monkeypatch.setenv("WIFIDESA_LOG_LEVEL", "DEBUG")

    def run(
        *argv: str, secret_key: str, old_keys: str = "", device_key: str = ""
    ) -> tuple[int, str, str]:
        monkeypatch.setenv("WIFIDESA_SECRET_KEY", secret_key)
        monkeypatch.setenv("WIFIDESA_OLD_SECRET_KEYS", old_keys)
        monkeypatch.setenv("WIFIDESA_DEVICE_HASH_KEY", device_key)
        try:
            code = main(list(argv))
        except SystemExit as exc:
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        return code, out, err

    return run


def _router_under(sessions: sessionmaker[Session], box: SecretBox) -> int:
    with sessions.begin() as session:
        return make_router(session, box, secret=ROUTER_SECRET).id


def test_reencrypt_moves_every_secret_to_the_new_key_and_radius_still_authenticates(
    cli: Cli, sessions: sessionmaker[Session], settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    old = SecretBox(OLD_KEY)
    with sessions.begin() as session:
        site = make_site(session, code="desa-k")
        make_router(
            session, old, site=site, ip="127.0.0.1", secret=ROUTER_SECRET, api_password=API_PASSWORD
        )
        make_profile(session, name="harian", validity_seconds=86400)
        _, codes = make_batch(session=session, site_code="desa-k", profile_name="harian", count=1)

    with caplog.at_level(logging.DEBUG):
        code, out, err = cli("keys", "reencrypt", secret_key=NEW_KEY, old_keys=OLD_KEY)
    assert code == 0, err
    assert "2 stored secrets re-encrypted" in out
    assert "WIFIDESA_OLD_SECRET_KEYS can now be removed" in out
    for key in (OLD_KEY, NEW_KEY, ROUTER_SECRET, API_PASSWORD):
        assert key not in caplog.text + out + err

    new_only = SecretBox(NEW_KEY)
    with sessions() as session:
        router = session.scalars(select(Router)).one()
        assert new_only.decrypt(router.secret_enc) == ROUTER_SECRET
        assert new_only.decrypt(router.api_password_enc or "") == API_PASSWORD
        assert [c.secret for c in nas_clients(session=session, box=new_only)] == [
            ROUTER_SECRET.encode()
        ]
    # The RADIUS service, given the new key alone, still reads the router's secret.
    new_settings = settings.model_copy(update={"secret_key": NEW_KEY})
    with running_radius(new_settings) as server, client(server, ROUTER_SECRET) as c:
        reply = c.SendPacket(auth_request(c, codes[0], codes[0]))
    assert reply.code == packet.AccessAccept


def test_a_secret_no_key_opens_fails_in_one_line_and_nothing_is_rewritten(
    cli: Cli, sessions: sessionmaker[Session]
) -> None:
    first = _router_under(sessions, SecretBox(OLD_KEY))
    _router_under(sessions, SecretBox("a-third-key-nobody-kept-0123456789-xyz"))
    with sessions() as session:
        before = session.scalars(select(Router.secret_enc).where(Router.id == first)).one()

    code, out, err = cli("keys", "reencrypt", secret_key=NEW_KEY, old_keys=OLD_KEY)
    assert code != 0 and out == ""
    assert err.strip().splitlines() == [
        "wifidesa: error: cannot decrypt a stored secret: WIFIDESA_SECRET_KEY differs from the "
        "one it was stored with"
    ]
    with sessions() as session:
        router = session.get(Router, first)
        assert router is not None and router.secret_enc == before
        with pytest.raises(ConfigError):
            router_secret(router, SecretBox(NEW_KEY))


def test_without_the_old_key_the_secrets_stay_unreadable(
    cli: Cli, sessions: sessionmaker[Session]
) -> None:
    _router_under(sessions, SecretBox(OLD_KEY))
    code, _, err = cli("keys", "reencrypt", secret_key=NEW_KEY)
    assert code != 0 and "cannot decrypt a stored secret" in err


def test_pinned_device_hash_key_keeps_device_hashes_across_a_rotation(
    cli: Cli, caplog: pytest.LogCaptureFixture
) -> None:
    mac = "AA:BB:CC:00:00:01"
    before = SecretBox(OLD_KEY).device_hash(mac)

    with caplog.at_level(logging.DEBUG):
        code, out, err = cli("keys", "device-hash-key", secret_key=OLD_KEY)
    assert code == 0, err
    pinned = out.strip()
    assert out == pinned + "\n"  # the key, once, and nothing else
    assert pinned not in caplog.text + err

    code, out, _ = cli("keys", "device-hash-key", secret_key=NEW_KEY, device_key=pinned)
    assert code == 0 and out.strip() == pinned
    after = SecretBox(NEW_KEY, old_keys=[OLD_KEY], device_hash_key=pinned).device_hash(mac)
    assert after == before


def test_device_hash_key_needs_no_schema(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("WIFIDESA_DATABASE_URL", f"sqlite:///{tmp_path / 'none.db'}")
    code, out, err = cli("keys", "device-hash-key", secret_key=NEW_KEY)
    assert code == 0 and out.strip() == SecretBox(NEW_KEY).device_hash_key, err
