"""Routers: each with its own secret, stored encrypted, never shown again."""

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session
from wdtest.factories import make_site

from wifidesa.admin.scope import OPERATOR
from wifidesa.crypto import SecretBox
from wifidesa.db.models import AuditEntry
from wifidesa.errors import AlreadyExists, ConfigError, InvalidInput
from wifidesa.places.listing import list_routers
from wifidesa.places.routers import RouterSpec, create_router, router_secret


def test_generated_secret_is_strong_and_stored_encrypted(session: Session, box: SecretBox) -> None:
    site = make_site(session)
    router, secret = create_router(
        session=session,
        scope=OPERATOR,
        site_id=site.id,
        box=box,
        spec=RouterSpec(
            hotspot_address="10.5.50.1",
            name="balai-desa",
            ip_address="10.64.0.10",
            api_password="api-pass-1234",
        ),
    )
    assert len(secret) >= 16 and secret.isalnum()
    session.commit()
    raw = session.execute(text("SELECT secret_enc, api_password_enc FROM routers")).one()
    assert secret not in raw[0] and "api-pass-1234" not in raw[1]
    assert router_secret(router, box) == secret
    assert box.decrypt(raw[1]) == "api-pass-1234"
    assert router.nas_identifier == "balai-desa"
    assert router.require_message_authenticator is True
    assert router.coa_port == 3799
    assert secret not in repr(router)


def test_every_router_gets_its_own_secret(session: Session, box: SecretBox) -> None:
    site = make_site(session)
    secrets = {
        create_router(
            session=session,
            scope=OPERATOR,
            site_id=site.id,
            box=box,
            spec=RouterSpec(
                hotspot_address="10.5.50.1", name=f"r{i}", ip_address=f"10.64.0.{i + 1}"
            ),
        )[1]
        for i in range(5)
    }
    assert len(secrets) == 5
    assert [r.name for r in list_routers(session=session, scope=OPERATOR, site_id=site.id)] == [
        "r0",
        "r1",
        "r2",
        "r3",
        "r4",
    ]


def test_audit_entry_names_the_router_but_not_its_secret(session: Session, box: SecretBox) -> None:
    site = make_site(session)
    _, secret = create_router(
        session=session,
        scope=OPERATOR,
        site_id=site.id,
        box=box,
        spec=RouterSpec(hotspot_address="10.5.50.1", name="r", ip_address="10.64.0.1"),
    )
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "routers.add")).one()
    assert entry.object_id == "r"
    assert secret not in str(entry.detail)


def test_secret_from_another_key_cannot_be_read(session: Session, box: SecretBox) -> None:
    site = make_site(session)
    router, _ = create_router(
        session=session,
        scope=OPERATOR,
        site_id=site.id,
        box=box,
        spec=RouterSpec(hotspot_address="10.5.50.1", name="r", ip_address="10.64.0.1"),
    )
    with pytest.raises(ConfigError, match="WIFIDESA_SECRET_KEY differs") as info:
        router_secret(router, SecretBox("another-key-" * 4))
    assert router.secret_enc not in str(info.value)


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        ({"ip_address": "10.64.0.300"}, InvalidInput, "not an IP address"),
        ({"secret": "short"}, InvalidInput, "at least 16"),
        ({"coa_port": 0}, InvalidInput, "CoA port"),
        ({"name": ""}, InvalidInput, "router name"),
        ({"ip_address": "10.64.0.1", "name": "again"}, AlreadyExists, "10.64.0.1"),
        ({"ip_address": "10.64.0.2", "name": "first"}, AlreadyExists, "first"),
    ],
)
def test_bad_router_specs_are_refused(
    session: Session,
    box: SecretBox,
    changes: dict[str, object],
    error: type,
    message: str,
) -> None:
    site = make_site(session)
    create_router(
        session=session,
        scope=OPERATOR,
        site_id=site.id,
        box=box,
        spec=RouterSpec(hotspot_address="10.5.50.1", name="first", ip_address="10.64.0.1"),
    )
    fields: dict[str, object] = {
        "hotspot_address": "10.5.50.1",
        "name": "second",
        "ip_address": "10.64.0.9",
    } | changes
    with pytest.raises(error, match=message):
        create_router(
            session=session, scope=OPERATOR, site_id=site.id, box=box, spec=RouterSpec(**fields)
        )  # type: ignore[arg-type]
