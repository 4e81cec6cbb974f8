"""The province manages admins: list, disable and enable, reset a password, revoke sign-ins;
each ends every web session and API token it should, and nobody does it to themselves."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from wdtest.factories import make_admin, make_site

from wifidesa.admin import management
from wifidesa.admin import signin as admin_auth
from wifidesa.admin.scope import OPERATOR, Forbidden, scope_of
from wifidesa.db.models import AdminRole, AdminUser, AuditEntry, TokenKind
from wifidesa.errors import InvalidInput, NotFound
from wifidesa.passwords import verify_password

T0 = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)


@pytest.fixture
def desa(session: Session) -> AdminUser:
    site = make_site(session, code="desa-m")
    return make_admin(
        session=session,
        username="operator-m",
        password="operator-password",
        role=AdminRole.DESA,
        site_codes=[site.code],
    )


def _signed_in(session: Session, admin: AdminUser) -> tuple[str, str]:
    web = admin_auth.start_web_session(session=session, admin=admin, now=T0)
    api = admin_auth.create_api_token(session=session, admin=admin, name="skrip", now=T0)
    return web, api


def _who(session: Session, token: str, kind: TokenKind) -> str | None:
    found = admin_auth.admin_for_token(session=session, token=token, kind=kind, now=T0)
    return found.username if found else None


def test_disabling_an_admin_ends_every_sign_in_and_enabling_lets_them_back(
    session: Session, desa: AdminUser
) -> None:
    web, api = _signed_in(session, desa)
    management.set_active(session=session, scope=OPERATOR, username="operator-m", active=False)
    assert _who(session, web, TokenKind.WEB) is None and _who(session, api, TokenKind.API) is None
    management.set_active(session=session, scope=OPERATOR, username="operator-m", active=True)
    web, _ = _signed_in(session, desa)
    assert _who(session, web, TokenKind.WEB) == "operator-m"
    actions = list(session.scalars(select(AuditEntry.action)))
    assert "admins.disable" in actions and "admins.enable" in actions


def test_a_reset_password_works_the_old_one_not_and_every_sign_in_ends(
    session: Session, desa: AdminUser
) -> None:
    web, api = _signed_in(session, desa)
    new = management.reset_password(session=session, scope=OPERATOR, username="operator-m")
    assert verify_password(new, desa.password_hash)
    assert not verify_password("operator-password", desa.password_hash)
    assert _who(session, web, TokenKind.WEB) is None and _who(session, api, TokenKind.API) is None
    details = [str(e.detail) for e in session.scalars(select(AuditEntry))]
    assert not any(new in d for d in details)


def test_revoking_ends_sessions_and_tokens_and_says_how_many(
    session: Session, desa: AdminUser
) -> None:
    _signed_in(session, desa)
    _signed_in(session, desa)
    ended = management.revoke_sign_ins(session=session, scope=OPERATOR, username="operator-m")
    assert ended == 4


def test_the_list_shows_each_admin_and_their_live_tokens(session: Session, desa: AdminUser) -> None:
    _signed_in(session, desa)
    rows = {r.username: r for r in management.list_admins(session=session, scope=OPERATOR, now=T0)}
    assert rows["operator-m"].api_tokens == 1 and rows["operator-m"].is_active


def test_only_the_province_manages_admins_and_nobody_themselves(
    session: Session, desa: AdminUser
) -> None:
    province = make_admin(
        session=session, username="prov", password="prov-password", role=AdminRole.PROVINCE
    )
    with pytest.raises(Forbidden):
        management.list_admins(session=session, scope=scope_of(desa), now=T0)
    with pytest.raises(Forbidden):
        management.revoke_sign_ins(session=session, scope=scope_of(desa), username="prov")
    with pytest.raises(InvalidInput, match="not on your own account"):
        management.set_active(
            session=session, scope=scope_of(province), username="prov", active=False
        )
    with pytest.raises(NotFound, match="no admin named 'nobody'"):
        management.reset_password(session=session, scope=OPERATOR, username="nobody")
