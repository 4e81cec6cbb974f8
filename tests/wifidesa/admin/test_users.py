import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session
from wdtest.factories import make_admin, make_site

from wifidesa.admin.signin import start_web_session
from wifidesa.admin.users import authenticate
from wifidesa.db.engine import utcnow
from wifidesa.db.models import AdminRole
from wifidesa.errors import AlreadyExists, InvalidInput, NotFound


def test_password_is_stored_as_an_argon2_hash(session: Session) -> None:
    make_admin(session=session, username="Prov", password="rahasia-sekali", role=AdminRole.PROVINCE)
    session.commit()
    stored = session.execute(text("SELECT username, password_hash FROM admin_users")).one()
    assert stored[0] == "prov"
    assert stored[1].startswith("$argon2")
    assert "rahasia" not in stored[1]


def test_authenticate_accepts_the_password_and_nothing_else(session: Session) -> None:
    make_admin(session=session, username="prov", password="rahasia-sekali", role=AdminRole.PROVINCE)
    admin = authenticate(session=session, username="PROV", password="rahasia-sekali")
    assert admin is not None and admin.last_login_at is None  # a check only: it writes nothing
    start_web_session(session=session, admin=admin, now=utcnow())  # the sign-in itself
    assert admin.last_login_at is not None
    assert authenticate(session=session, username="prov", password="salah-sekali") is None
    assert authenticate(session=session, username="nobody", password="rahasia-sekali") is None


def test_disabled_admin_cannot_sign_in(session: Session) -> None:
    admin = make_admin(
        session=session,
        username="kab",
        password="rahasia-sekali",
        role=AdminRole.KABUPATEN,
        region_code="64.02",
    )
    admin.is_active = False
    assert authenticate(session=session, username="kab", password="rahasia-sekali") is None


def test_scopes(session: Session) -> None:
    site = make_site(session)
    kab = make_admin(
        session=session,
        username="kab",
        password="rahasia-sekali",
        role=AdminRole.KABUPATEN,
        region_code="64.03",
    )
    desa = make_admin(
        session=session,
        username="desa",
        password="rahasia-sekali",
        role=AdminRole.DESA,
        site_codes=[site.code],
    )
    assert kab.region is not None and kab.region.code == "64.03"
    assert [s.code for s in desa.sites] == [site.code]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"role": AdminRole.KABUPATEN}, InvalidInput, "needs --region"),
        ({"role": AdminRole.KABUPATEN, "region_code": "64.03.01"}, NotFound, "no kabupaten"),
        ({"role": AdminRole.DESA}, InvalidInput, "at least one --site"),
        ({"role": AdminRole.DESA, "site_codes": ["nope"]}, NotFound, "no site"),
        ({"role": AdminRole.PROVINCE, "region_code": "64.03"}, InvalidInput, "only kabupaten"),
        ({"role": AdminRole.PROVINCE, "password": "short"}, InvalidInput, "at least 8"),
        ({"role": AdminRole.PROVINCE, "username": "a b"}, InvalidInput, "username"),
    ],
)
def test_bad_admins_are_refused(
    session: Session, kwargs: dict[str, object], error: type, message: str
) -> None:
    fields: dict[str, object] = {"username": "x", "password": "rahasia-sekali"} | kwargs
    with pytest.raises(error, match=message):
        make_admin(session=session, **fields)  # type: ignore[arg-type]


def test_duplicate_username(session: Session) -> None:
    make_admin(session=session, username="x", password="rahasia-sekali", role=AdminRole.PROVINCE)
    with pytest.raises(AlreadyExists):
        make_admin(
            session=session, username="X", password="rahasia-sekali", role=AdminRole.PROVINCE
        )
