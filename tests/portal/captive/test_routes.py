"""The captive portal over HTTP: every way in, and every refusal."""

from __future__ import annotations

import hashlib

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from portal.app import create_app
from wifidesa.access import attempts
from wifidesa.access.captive import decode_octal
from wifidesa.access.tokens import MINTS_PER_DEVICE
from wifidesa.admin.scope import OPERATOR, require_site_code
from wifidesa.db.models import (
    GuestDevice,
    LoginToken,
    Router,
    Site,
)
from wifidesa.profiles.operations import require_profile_named
from wifidesa.settings import Settings
from wifidesa.vouchers.importing import import_vouchers

from ..conftest import CHAP_CHALLENGE, CHAP_ID, Village, form_fields, router_post


def landing(web: TestClient, village: Village, **changes: str) -> str:
    response = web.post("/portal/login", data=router_post(village, **changes))
    assert response.status_code == 200, response.text
    return response.text


def submit(web: TestClient, village: Village, action: str, page: str, **fields: str):  # type: ignore[no-untyped-def]
    base = form_fields(page, action)
    return web.post(action, data=base | fields)


def expected_chap(secret: str) -> str:
    chap_id, challenge = decode_octal(CHAP_ID), decode_octal(CHAP_CHALLENGE)
    assert chap_id is not None and challenge is not None
    return hashlib.md5(chap_id + secret.encode() + challenge).hexdigest()  # noqa: S324


def test_octal_escapes_decode_to_bytes() -> None:
    assert decode_octal("\\371\\357\\000a") == b"\xf9\xef\x00a"
    assert decode_octal(CHAP_CHALLENGE) == bytes(range(200, 216))
    assert decode_octal("") is None


def test_landing_offers_every_way_in_in_bahasa_indonesia(web: TestClient, village: Village) -> None:
    page = landing(web, village)
    assert '<html lang="id">' in page
    for text in ("Masuk dengan voucher", "Warga", "Akses gratis", "Kode voucher"):
        assert text in page
    assert "http://" not in page.split("<body>")[1].replace('action="/portal', "")


def test_voucher_hands_the_router_a_chap_password(web: TestClient, village: Village) -> None:
    code = village.codes[0]
    page = landing(web, village)
    response = submit(web, village, "/portal/voucher", page, code=code.lower())
    handoff = form_fields(response.text, "http://10.5.50.1/login")
    assert handoff["username"] == code
    assert handoff["password"] == expected_chap(code)
    assert handoff["dst"] == "http://example.org/news"
    assert response.headers["cache-control"] == "no-store"
    assert "<button" in response.text  # works without JavaScript too


def test_pap_only_router_gets_the_plain_password(web: TestClient, village: Village) -> None:
    page = landing(web, village, **{"chap-id": "", "chap-challenge": ""})
    response = submit(web, village, "/portal/voucher", page, code=village.codes[0])
    assert form_fields(response.text, "http://10.5.50.1/login")["password"] == village.codes[0]


def test_resident_gets_a_fresh_one_time_token(
    web: TestClient, village: Village, sessions: sessionmaker[Session]
) -> None:
    page = landing(web, village)
    response = submit(
        web, village, "/portal/member", page, username="Budi", password="rahasia-budi", remember="1"
    )
    handoff = form_fields(response.text, "http://10.5.50.1/login")
    with sessions() as session:
        token = session.scalars(select(LoginToken)).one()
    assert handoff["username"] == "budi"
    assert handoff["password"] == expected_chap(token.token)
    assert "rahasia" not in response.text
    assert (token.mac, token.remember_device) == ("AA:BB:CC:00:11:22", True)


def test_free_access_needs_the_terms_and_makes_a_guest(
    web: TestClient, village: Village, sessions: sessionmaker[Session]
) -> None:
    page = landing(web, village)
    refused = submit(web, village, "/portal/free", page)
    assert refused.status_code == 400
    response = submit(web, village, "/portal/free", page, terms="1")
    handoff = form_fields(response.text, "http://10.5.50.1/login")
    assert handoff["username"] == "tamu-AABBCC001122"
    with sessions() as session:
        assert session.scalars(select(GuestDevice.mac)).all() == ["AA:BB:CC:00:11:22"]


@pytest.mark.parametrize(
    ("action", "fields", "message"),
    [
        ("/portal/voucher", {"code": "ZZZZZZZZZZ"}, "Kode voucher salah"),
        (
            "/portal/member",
            {"username": "budi", "password": "salah-sekali"},
            "Nama pengguna atau kata sandi salah",
        ),
    ],
)
def test_wrong_credentials_are_said_plainly(
    web: TestClient, village: Village, action: str, fields: dict[str, str], message: str
) -> None:
    response = submit(web, village, action, landing(web, village), **fields)
    assert response.status_code == 400 and message in response.text


def test_failed_attempts_are_throttled_per_device(web: TestClient, village: Village) -> None:
    page = landing(web, village)
    for _ in range(5):
        assert submit(web, village, "/portal/voucher", page, code="ZZZZZZZZZZ").status_code == 400
    blocked = submit(web, village, "/portal/voucher", page, code=village.codes[0])
    assert blocked.status_code == 429
    assert "Terlalu banyak percobaan gagal" in blocked.text


def test_one_phones_wrong_codes_leave_the_other_phones_behind_the_same_address_alone(
    web: TestClient, village: Village
) -> None:
    # Every request of the test client comes from one address, as a village behind a NAT.
    page = landing(web, village)
    for _ in range(5):
        submit(web, village, "/portal/voucher", page, code="ZZZZZZZZZZ")
    neighbour = landing(web, village, mac="AA:BB:CC:00:11:33")
    response = submit(web, village, "/portal/voucher", neighbour, code=village.codes[0])
    assert response.status_code == 200
    assert form_fields(response.text, "http://10.5.50.1/login")["username"] == village.codes[0]


def test_a_scan_through_one_router_meets_the_routers_ceiling(
    web: TestClient, village: Village
) -> None:
    for n in range(attempts.PORTAL_ROUTER.failures):
        page = landing(web, village, mac=f"AA:BB:CC:00:12:{n:02X}")
        assert submit(web, village, "/portal/voucher", page, code="ZZZZZZZZZZ").status_code == 400
    page = landing(web, village, mac="AA:BB:CC:00:13:00")
    blocked = submit(web, village, "/portal/voucher", page, code=village.codes[0])
    assert blocked.status_code == 429
    assert "Terlalu banyak percobaan gagal" in blocked.text


def test_every_portal_process_sees_a_block(
    web: TestClient, village: Village, settings: Settings
) -> None:
    page = landing(web, village)
    for _ in range(5):
        submit(web, village, "/portal/voucher", page, code="ZZZZZZZZZZ")
    with TestClient(create_app(settings)) as other_worker:
        page = landing(other_worker, village)
        blocked = submit(other_worker, village, "/portal/voucher", page, code=village.codes[0])
    assert blocked.status_code == 429


def test_logins_go_on_when_the_limiter_cannot_count(
    web: TestClient, village: Village, engine: Engine
) -> None:
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE login_failures")
    page = landing(web, village)
    assert submit(web, village, "/portal/voucher", page, code="ZZZZZZZZZZ").status_code == 400
    response = submit(web, village, "/portal/voucher", page, code=village.codes[0])
    assert response.status_code == 200
    assert form_fields(response.text, "http://10.5.50.1/login")["username"] == village.codes[0]


@pytest.mark.parametrize(
    "link",
    [
        "http://evil.example/login",
        "javascript:alert(1)",
        "http://10.5.50.1.evil.example/login",
        "http://evil.example\\@10.5.50.1/login",
        "",
    ],
)
def test_the_handoff_goes_to_the_registered_hotspot_whatever_the_link_says(
    web: TestClient, village: Village, link: str
) -> None:
    page = landing(web, village, **{"link-login-only": link})
    handoff = submit(web, village, "/portal/voucher", page, code=village.codes[0])
    assert handoff.status_code == 200
    assert 'action="http://10.5.50.1/login"' in handoff.text
    assert "evil" not in handoff.text and "javascript" not in handoff.text


def test_a_router_without_a_hotspot_address_is_refused(
    web: TestClient, village: Village, sessions: sessionmaker[Session]
) -> None:
    with sessions.begin() as session:
        session.execute(update(Router).values(hotspot_address=None))  # registered before 0007
    page = web.post("/portal/login", data=router_post(village))
    assert page.status_code == 400 and "belum terdaftar lengkap" in page.text


def test_unknown_router_is_refused(web: TestClient, village: Village) -> None:
    response = web.post("/portal/login", data=router_post(village, router="nobody"))
    assert response.status_code == 400 and "tidak terdaftar" in response.text


def test_router_values_are_escaped_and_only_http_redirects_kept(
    web: TestClient, village: Village
) -> None:
    page = landing(
        web, village, error='<script>alert("x")</script>', **{"link-orig": "javascript:alert(1)"}
    )
    assert "<script>alert" not in page and "alert(&#34;x&#34;)" not in page  # not even escaped
    assert "Router menolak login" in page
    response = submit(web, village, "/portal/voucher", page, code=village.codes[0])
    assert "dst" not in form_fields(response.text, "http://10.5.50.1/login")


def test_routeros_errors_are_translated(web: TestClient, village: Village) -> None:
    page = landing(web, village, error="invalid username or password")
    assert "Nama pengguna atau kata sandi salah" in page


@pytest.mark.parametrize(
    "error",
    [
        "Kode voucher atau kata sandi salah.",
        "Voucher ini hanya berlaku di Desa Sungai Payang.",
        "Kuota harian Anda sudah habis. Bisa dipakai lagi mulai 1 April 2026 pukul 00.00 WITA.",
    ],
)
def test_our_own_refusals_come_back_as_they_were_sent(
    web: TestClient, village: Village, error: str
) -> None:
    assert error in landing(web, village, error=error)


@pytest.mark.parametrize(
    "error",
    [
        "Akun Anda diblokir. Hubungi 0812-3456-7890 dan kirim kode voucher Anda.",
        "Voucher ini hanya berlaku di " + "x" * 200 + ".",  # a field no village name fills
        "Kode voucher atau kata sandi salah. Kirim kode ke http://evil.example",
    ],
)
def test_any_other_router_error_text_is_not_shown(
    web: TestClient, village: Village, error: str
) -> None:
    # The text comes from a URL anyone can write: the village's real page must not carry it.
    page = landing(web, village, error=error)
    assert "0812" not in page and "evil.example" not in page and "x" * 200 not in page
    assert "Router menolak login" in page


def test_forms_need_the_csrf_token(web: TestClient, village: Village) -> None:
    page = landing(web, village)
    fields = form_fields(page, "/portal/voucher") | {"code": village.codes[0]}
    assert web.post("/portal/voucher", data=fields | {"csrf": "forged"}).status_code == 403
    web.cookies.clear()
    assert web.post("/portal/voucher", data=fields).status_code == 403


def test_tampered_context_is_refused(web: TestClient, village: Village) -> None:
    page = landing(web, village)
    fields = form_fields(page, "/portal/voucher") | {"code": village.codes[0]}
    fields["ctx"] = fields["ctx"][:-4] + "AAAA"
    assert web.post("/portal/voucher", data=fields).status_code == 400


def test_english_on_a_switch_and_remembered(web: TestClient, village: Village) -> None:
    page = landing(web, village)
    switched = web.post(
        "/portal/again", data={"ctx": form_fields(page, "/portal/voucher")["ctx"], "lang": "en"}
    )
    assert "Log in with a voucher" in switched.text and '<html lang="en">' in switched.text
    assert "Log in with a voucher" in landing(web, village)  # the cookie keeps the choice
    assert "Page not found" in web.get("/nowhere").text


def test_router_files_are_served_for_registered_routers(web: TestClient, village: Village) -> None:
    login = web.get(f"/mikrotik/{village.router}/login.html")
    assert login.status_code == 200
    assert f'value="{village.router}"' in login.text and 'value="$(chap-challenge)"' in login.text
    assert web.get("/mikrotik/nobody/login.html").status_code == 404
    assert web.get(f"/mikrotik/{village.router}/secret.txt").status_code == 404


PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def test_village_logo_is_small_cached_and_optional(
    web: TestClient, village: Village, sessions: sessionmaker[Session]
) -> None:
    from wifidesa.admin.scope import OPERATOR, require_site_code
    from wifidesa.errors import InvalidInput
    from wifidesa.places.sites import set_logo

    assert "/portal/logo/" not in landing(web, village)
    assert web.get("/portal/logo/desa-p").status_code == 404
    with sessions.begin() as session:
        site_id = require_site_code(session=session, scope=OPERATOR, code="desa-p").id
        for bad, why in (
            (b"<svg onload=alert(1)></svg>", "PNG, JPEG"),
            (PNG_1PX + b"\0" * 11_000, "at most 10240"),
        ):
            with pytest.raises(InvalidInput, match=why):
                set_logo(session=session, scope=OPERATOR, site_id=site_id, data=bad)
        set_logo(session=session, scope=OPERATOR, site_id=site_id, data=PNG_1PX)
    assert '<img src="/portal/logo/desa-p"' in landing(web, village)
    image = web.get("/portal/logo/desa-p")
    assert image.content == PNG_1PX and image.headers["content-type"] == "image/png"
    assert "max-age=86400" in image.headers["cache-control"]


@pytest.mark.parametrize(
    ("switched_off", "action", "fields"),
    [
        ("allow_voucher", "/portal/voucher", {"code": "{code}"}),
        ("allow_member", "/portal/member", {"username": "budi", "password": "rahasia-budi"}),
        ("allow_free", "/portal/free", {"terms": "1"}),
    ],
)
def test_a_switched_off_way_of_logging_in_is_refused_even_by_a_direct_post(
    web: TestClient,
    village: Village,
    sessions: sessionmaker[Session],
    switched_off: str,
    action: str,
    fields: dict[str, str],
) -> None:
    page = landing(web, village)  # the form was there when the page was shown
    with sessions.begin() as session:
        session.execute(update(Site).values({switched_off: False}))
    values = {k: v.format(code=village.codes[0]) for k, v in fields.items()}
    answer = submit(web, village, action, page, **values)
    assert answer.status_code == 400
    assert 'name="password"' not in answer.text.split("<form", 1)[0]
    assert "10.5.50.1/login" not in answer.text  # no hand-off
    with sessions() as session:
        assert session.scalar(select(LoginToken.id)) is None


def test_a_device_asking_for_too_many_logins_is_told_to_wait_in_bahasa(
    web: TestClient, village: Village, sessions: sessionmaker[Session]
) -> None:
    for _ in range(MINTS_PER_DEVICE):
        page = landing(web, village)
        assert submit(web, village, "/portal/free", page, terms="1").status_code == 200
    page = landing(web, village)
    refused = submit(web, village, "/portal/free", page, terms="1")
    assert refused.status_code == 429
    assert "Terlalu banyak login dari perangkat ini" in refused.text
    with sessions() as session:
        assert len(list(session.scalars(select(LoginToken.id)))) == MINTS_PER_DEVICE


def test_a_card_imported_with_a_pin_needs_its_pin_at_the_portal_too(
    web: TestClient, village: Village, sessions: sessionmaker[Session]
) -> None:
    # The code is printed on the card; the PIN is under its scratch layer. The portal once
    # handed the stored PIN to the router for anyone who typed the code alone.
    with sessions.begin() as session:
        site = require_site_code(session=session, scope=OPERATOR, code="desa-p")
        profile = require_profile_named(session=session, scope=OPERATOR, name="harian")
        import_vouchers(
            session=session,
            scope=OPERATOR,
            site_id=site.id,
            profile_id=profile.id,
            text="code,password\nLAMA0001,7351\n",
        )
    page = landing(web, village)
    assert 'name="pin"' in page
    for pin in ("", "0000"):
        refused = submit(web, village, "/portal/voucher", page, code="lama0001", pin=pin)
        assert refused.status_code == 400 and "7351" not in refused.text
    accepted = submit(web, village, "/portal/voucher", page, code="lama0001", pin="7351")
    assert accepted.status_code == 200
    assert form_fields(accepted.text, "http://10.5.50.1/login")["username"] == "LAMA0001"
