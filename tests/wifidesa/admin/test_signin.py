"""Admin web sessions and API tokens: lifetimes, kinds, and what ends them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from wdtest.factories import make_admin

from wifidesa.admin import signin as admin_auth
from wifidesa.db.models import AdminRole, AdminToken, AdminUser, TokenKind
from wifidesa.errors import InvalidInput, NotFound
from wifidesa.passwords import verify_password

T0 = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)


@pytest.fixture
def admin(session: Session) -> AdminUser:
    return make_admin(
        session=session, username="prov", password="prov-password", role=AdminRole.PROVINCE
    )


def _who(session: Session, token: str, kind: TokenKind, at: datetime) -> str | None:
    found = admin_auth.admin_for_token(session=session, token=token, kind=kind, now=at)
    return found.username if found else None


def test_a_web_session_slides_while_used_and_ends_when_idle(
    session: Session, admin: AdminUser
) -> None:
    token = admin_auth.start_web_session(session=session, admin=admin, now=T0)
    stored = session.scalars(select(AdminToken)).one()
    assert token not in stored.token_hash and len(stored.token_hash) == 64
    at = T0
    for _ in range(4):  # used every 10 hours: stays signed in past the 12-hour idle limit
        at += timedelta(hours=10)
        assert _who(session, token, TokenKind.WEB, at) == "prov"
    assert _who(session, token, TokenKind.WEB, at + admin_auth.WEB_IDLE) is None


def test_a_web_session_never_outlives_its_maximum(session: Session, admin: AdminUser) -> None:
    token = admin_auth.start_web_session(session=session, admin=admin, now=T0)
    at = T0
    while at < T0 + admin_auth.WEB_MAX - timedelta(hours=6):
        at += timedelta(hours=6)
        assert _who(session, token, TokenKind.WEB, at) == "prov"
    assert _who(session, token, TokenKind.WEB, T0 + admin_auth.WEB_MAX) is None


def test_kinds_do_not_mix_and_disabled_admins_are_out(session: Session, admin: AdminUser) -> None:
    web = admin_auth.start_web_session(session=session, admin=admin, now=T0)
    api = admin_auth.create_api_token(session=session, admin=admin, name="laporan", now=T0)
    assert _who(session, web, TokenKind.API, T0) is None
    assert _who(session, api, TokenKind.WEB, T0) is None
    assert _who(session, api, TokenKind.API, T0 + timedelta(days=80)) == "prov"  # 90 days
    assert _who(session, api, TokenKind.API, T0 + admin_auth.API_LIFETIME) is None
    assert _who(session, "x" * 500, TokenKind.WEB, T0) is None
    admin.is_active = False
    assert _who(session, web, TokenKind.WEB, T0) is None
    assert _who(session, api, TokenKind.API, T0) is None


def test_password_change_keeps_only_the_current_session(session: Session, admin: AdminUser) -> None:
    here = admin_auth.start_web_session(session=session, admin=admin, now=T0)
    there = admin_auth.start_web_session(session=session, admin=admin, now=T0)
    api = admin_auth.create_api_token(session=session, admin=admin, name="laporan", now=T0)
    with pytest.raises(InvalidInput, match="current password is wrong"):
        admin_auth.change_password(
            session=session, admin=admin, current="nope", new="new-password-1", keep_token=here
        )
    with pytest.raises(InvalidInput, match="at least 8"):
        admin_auth.change_password(
            session=session, admin=admin, current="prov-password", new="short", keep_token=here
        )
    admin_auth.change_password(
        session=session, admin=admin, current="prov-password", new="new-password-1", keep_token=here
    )
    assert verify_password("new-password-1", admin.password_hash)
    assert _who(session, here, TokenKind.WEB, T0) == "prov"
    assert _who(session, there, TokenKind.WEB, T0) is None
    # A password changed after a leak must shut out whoever had it: API tokens end too.
    assert _who(session, api, TokenKind.API, T0) is None


def test_sign_out_and_revoke(session: Session, admin: AdminUser) -> None:
    web = admin_auth.start_web_session(session=session, admin=admin, now=T0)
    admin_auth.create_api_token(session=session, admin=admin, name="laporan", now=T0)
    admin_auth.end_web_session(session=session, token=web)
    assert _who(session, web, TokenKind.WEB, T0) is None
    (listed,) = admin_auth.list_api_tokens(session=session, admin_id=admin.id)
    other = make_admin(
        session=session, username="lain", password="lain-password", role=AdminRole.PROVINCE
    )
    with pytest.raises(NotFound):  # one admin cannot revoke another's token
        admin_auth.revoke_api_token(session=session, admin=other, token_id=listed.id)
    admin_auth.revoke_api_token(session=session, admin=admin, token_id=listed.id)
    assert admin_auth.list_api_tokens(session=session, admin_id=admin.id) == []
    with pytest.raises(InvalidInput):
        admin_auth.create_api_token(session=session, admin=admin, name=" ", now=T0)
