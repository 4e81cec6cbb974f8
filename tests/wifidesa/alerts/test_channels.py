"""Admins' channels: checked addresses, webhook URLs kept encrypted and shown cut, each admin
managing their own (province admins anyone's), every change audited without a token."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from wdtest.admin_world import DESA_A, DESA_B, KAB_OWN, PROVINCE, World
from wdtest.world_db import actor_scope, db_url, world, world_copy  # noqa: F401 - fixtures

from wifidesa.admin.scope import OPERATOR, Forbidden
from wifidesa.alerts.channels import (
    add_channel,
    check_email,
    check_telegram_chat,
    check_webhook_url,
    destination,
    list_channels,
    remove_channel,
    require_channel,
    set_enabled,
    shown_url,
)
from wifidesa.crypto import SecretBox
from wifidesa.db.engine import utcnow
from wifidesa.db.models import AlertChannel, AuditEntry, ChannelKind
from wifidesa.errors import AlreadyExists, ErrorCode, InvalidInput, NotFound

TOKENED = "https://hooks.example.org/services/T000/B000/s3cr3t-t0ken?key=also-secret"


@pytest.fixture
def no_channels_yet(session: Session, world: World) -> None:
    """The world without the alert channel it gives desa_a (the permission matrix's), nor
    its audit entry."""
    session.execute(delete(AlertChannel))
    session.execute(delete(AuditEntry).where(AuditEntry.action.like("alerts.%")))


@pytest.mark.parametrize(
    "text",
    ["", "nobody", "a@b", "two@at@example.org", "x y@example.org", "a@example.org\r\nBcc: z@x.org"],
)
def test_a_malformed_email_address_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_email(text)
    assert caught.value.code is ErrorCode.NOT_AN_EMAIL_ADDRESS


def test_an_email_address_keeps_its_local_part_and_lowers_its_domain() -> None:
    assert check_email(" Kades.Loa@Kukarkab.GO.ID ") == "Kades.Loa@kukarkab.go.id"


@pytest.mark.parametrize("text", ["123456789", "-1001234567890", "@wifidesa_kukar"])
def test_telegram_chats_are_ids_or_channel_names(text: str) -> None:
    assert check_telegram_chat(text) == text


@pytest.mark.parametrize("text", ["", "12ab", "@abc", "@1channel", "https://t.me/x"])
def test_other_telegram_chats_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_telegram_chat(text)
    assert caught.value.code is ErrorCode.NOT_A_TELEGRAM_CHAT


@pytest.mark.parametrize(
    "url",
    [
        TOKENED,
        "http://127.0.0.1:8080/hook",
        "http://10.20.0.5/alerts",
        "http://192.168.88.2/x",
        "http://[::1]:9000/x",
        "http://localhost:9000/x",
    ],
)
def test_webhooks_use_https_or_stay_on_a_private_network(url: str) -> None:
    assert check_webhook_url(url) == url


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("http://hooks.example.org/s3cr3t-t0ken", ErrorCode.WEBHOOK_NOT_HTTPS),
        ("http://8.8.8.8/s3cr3t-t0ken", ErrorCode.WEBHOOK_NOT_HTTPS),
        ("ftp://example.org/s3cr3t-t0ken", ErrorCode.NOT_A_WEBHOOK_URL),
        ("https:///s3cr3t-t0ken", ErrorCode.NOT_A_WEBHOOK_URL),
        ("https://user:s3cr3t-t0ken@example.org/", ErrorCode.NOT_A_WEBHOOK_URL),
        ("https://example.org:99999/s3cr3t-t0ken", ErrorCode.NOT_A_WEBHOOK_URL),
        ("https://example.org/s3cr3t-t0ken#x", ErrorCode.NOT_A_WEBHOOK_URL),
        ("https://example.org/" + "s3cr3t-t0ken" * 200, ErrorCode.NOT_A_WEBHOOK_URL),
    ],
)
def test_a_bad_webhook_is_refused_without_echoing_its_token(url: str, code: ErrorCode) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_webhook_url(url)
    assert caught.value.code is code
    assert "s3cr3t" not in str(caught.value)


def test_a_webhook_is_shown_cut_after_its_host() -> None:
    assert shown_url(TOKENED) == "https://hooks.example.org/…"
    assert shown_url("http://127.0.0.1:8080/") == "http://127.0.0.1:8080/"


@pytest.mark.usefixtures("no_channels_yet")
def test_a_webhook_url_is_stored_encrypted_and_never_shown_or_audited_whole(
    session: Session, world: World, box: SecretBox
) -> None:
    scope = actor_scope(session, world, DESA_A)
    before = session.scalar(select(func.max(AuditEntry.id))) or 0
    view = add_channel(
        session=session,
        scope=scope,
        box=box,
        kind=ChannelKind.WEBHOOK,
        address=TOKENED,
        now=utcnow(),
    )
    assert view.address == "https://hooks.example.org/…"
    assert view.owner == "desa-a"
    row = session.get(AlertChannel, view.id)
    assert row is not None and row.url_enc is not None
    assert "s3cr3t" not in row.address and "s3cr3t" not in row.url_enc
    assert destination(row, box).address == TOKENED
    assert "s3cr3t" not in repr(destination(row, box))
    entries = session.scalars(
        select(AuditEntry).where(AuditEntry.action.like("alerts.%"), AuditEntry.id > before)
    )
    assert [(e.action, e.actor) for e in entries] == [("alerts.channel_add", "desa-a")]
    assert all("s3cr3t" not in str(e.detail) for e in session.scalars(select(AuditEntry)))
    with pytest.raises(AlreadyExists):  # the same URL twice
        add_channel(
            session=session,
            scope=scope,
            box=box,
            kind=ChannelKind.WEBHOOK,
            address=TOKENED,
            now=utcnow(),
        )


@pytest.mark.usefixtures("no_channels_yet")
def test_an_admin_manages_only_their_own_channels(
    session: Session, world: World, box: SecretBox
) -> None:
    desa_a = actor_scope(session, world, DESA_A)
    desa_b = actor_scope(session, world, DESA_B)
    kab = actor_scope(session, world, KAB_OWN)
    mine = add_channel(
        session=session,
        scope=desa_a,
        box=box,
        kind=ChannelKind.EMAIL,
        address="kades@loa.desa.id",
        now=utcnow(),
    )
    with pytest.raises(AlreadyExists):
        add_channel(
            session=session,
            scope=desa_a,
            box=box,
            kind=ChannelKind.EMAIL,
            address="KADES@LOA.DESA.ID",
            now=utcnow(),
        )
    assert [c.id for c in list_channels(session=session, scope=desa_a)] == [mine.id]
    assert list_channels(session=session, scope=desa_b) == []
    for other in (desa_b, kab):  # another admin's channel: not found, even to their kabupaten
        with pytest.raises(NotFound):
            set_enabled(session=session, scope=other, channel_id=mine.id, enabled=False)
        with pytest.raises(NotFound):
            remove_channel(session=session, scope=other, channel_id=mine.id)
        with pytest.raises(Forbidden):
            add_channel(
                session=session,
                scope=other,
                box=box,
                kind=ChannelKind.TELEGRAM,
                address="123",
                owner="desa-a",
                now=utcnow(),
            )
    set_enabled(session=session, scope=desa_a, channel_id=mine.id, enabled=False)
    assert not list_channels(session=session, scope=desa_a)[0].enabled
    remove_channel(session=session, scope=desa_a, channel_id=mine.id)
    assert list_channels(session=session, scope=desa_a) == []
    actions = session.scalars(
        select(AuditEntry.action).where(AuditEntry.action.like("alerts.%")).order_by(AuditEntry.id)
    )
    assert list(actions) == [
        "alerts.channel_add",
        "alerts.channel_disable",
        "alerts.channel_remove",
    ]


@pytest.mark.usefixtures("no_channels_yet")
def test_a_province_admin_and_the_operator_manage_anyones_channels(
    session: Session, world: World, box: SecretBox
) -> None:
    province = actor_scope(session, world, PROVINCE)
    given = add_channel(
        session=session,
        scope=province,
        box=box,
        kind=ChannelKind.TELEGRAM,
        address="-1001234567890",
        owner="desa-b",
        now=utcnow(),
    )
    assert given.owner == "desa-b"
    assert [c.id for c in list_channels(session=session, scope=province, owner="desa-b")] == [
        given.id
    ]
    assert list_channels(session=session, scope=province) == []  # their own: none
    assert [c.id for c in list_channels(session=session, scope=OPERATOR)] == [given.id]
    with pytest.raises(InvalidInput) as caught:  # the operator is nobody: name the admin
        add_channel(
            session=session,
            scope=OPERATOR,
            box=box,
            kind=ChannelKind.EMAIL,
            address="x@example.org",
            now=utcnow(),
        )
    assert caught.value.code is ErrorCode.CHANNELS_NEED_AN_ADMIN
    with pytest.raises(NotFound):
        add_channel(
            session=session,
            scope=OPERATOR,
            box=box,
            kind=ChannelKind.EMAIL,
            address="x@example.org",
            owner="nobody",
            now=utcnow(),
        )
    remove_channel(session=session, scope=OPERATOR, channel_id=given.id)
    with pytest.raises(NotFound):
        require_channel(session=session, scope=OPERATOR, channel_id=given.id)
