"""The page a voucher card's QR code opens: it remembers the code for the login form, and
tells nothing about codes that do not exist."""

from __future__ import annotations

from urllib.parse import quote

from fastapi.testclient import TestClient
from sqlalchemy import delete, update
from sqlalchemy.orm import Session, sessionmaker

from portal.captive.routes import CODE_COOKIE
from wifidesa.db.models import Router, Voucher
from wifidesa.vouchers.codes import format_code

from ..conftest import Village, form_fields, router_post

UNKNOWN = "ZZZZZ22222"


def landing(web: TestClient, village: Village) -> str:
    response = web.post("/portal/login", data=router_post(village))
    assert response.status_code == 200
    return response.text


def test_card_link_remembers_the_code_and_leads_to_the_hotspot(
    web: TestClient, village: Village
) -> None:
    code = village.codes[0]
    # as a person might type it
    response = web.get(f"/portal/v/{format_code(code).lower()}?s=desa-p")
    assert response.status_code == 200
    assert '<html lang="id">' in response.text and "Wi-Fi desa" in response.text
    # The code and language ride through the router as its dst, back to us as link-orig.
    dst = quote(f"http://127.0.0.1:8000/portal/v/{code}?lang=id", safe="")
    assert f'href="http://10.5.50.1/login?dst={dst}"' in response.text
    assert format_code(code) in response.text
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{CODE_COOKIE}={code};")
    assert "HttpOnly" in cookie and "Max-Age=600" in cookie and "SameSite=lax" in cookie
    assert response.headers["cache-control"] == "no-store"


def test_known_and_unknown_codes_get_the_same_page(
    web: TestClient, village: Village, sessions: sessionmaker[Session]
) -> None:
    """Nothing in the answer depends on whether the code exists: not the link, not the
    cookie, not the time (the code is never looked up)."""

    def page(code: str) -> tuple[str, str]:
        web.cookies.clear()
        response = web.get(f"/portal/v/{code}?s=desa-p")
        assert response.status_code == 200
        neutral = response.text.replace(code, "C").replace(format_code(code), "C")
        return neutral, response.headers["set-cookie"].replace(code, "C")

    known = village.codes[0]
    assert page(known) == page(UNKNOWN)
    with sessions.begin() as session:  # used, revoked or deleted: still the same page
        session.execute(delete(Voucher).where(Voucher.code == known))
    assert page(known) == page(UNKNOWN)


def test_unknown_code_is_still_shown_to_type_by_hand(web: TestClient, village: Village) -> None:
    response = web.get(f"/portal/v/{UNKNOWN}?s=desa-p")
    assert format_code(UNKNOWN) in response.text
    assert "Sambungkan HP Anda ke Wi-Fi desa." in response.text  # the same first step


def test_a_card_without_its_village_gets_the_plain_steps(web: TestClient, village: Village) -> None:
    for link in (f"/portal/v/{village.codes[0]}", f"/portal/v/{village.codes[0]}?s=nowhere"):
        response = web.get(link)
        assert response.status_code == 200
        assert CODE_COOKIE not in response.headers.get("set-cookie", "")
        assert "10.5.50.1" not in response.text
        assert "Masukkan kode Anda di sana." in response.text
        assert format_code(village.codes[0]) in response.text


def test_malformed_code_is_not_echoed(web: TestClient, village: Village) -> None:
    response = web.get("/portal/v/%3Cscript%3Ealert(1)%3C%5Cscript%3E?s=desa-p")
    assert response.status_code == 200
    assert "<script>alert" not in response.text and "alert(1)" not in response.text
    assert CODE_COOKIE not in response.headers.get("set-cookie", "")


def test_no_cookie_when_the_village_has_no_active_router(
    web: TestClient, village: Village, sessions: sessionmaker[Session]
) -> None:
    with sessions.begin() as session:
        session.execute(update(Router).values(is_active=False))
    response = web.get(f"/portal/v/{village.codes[0]}?s=desa-p")
    assert response.status_code == 200
    assert CODE_COOKIE not in response.headers.get("set-cookie", "")
    assert "10.5.50.1" not in response.text


def test_the_language_switch_keeps_the_village(web: TestClient, village: Village) -> None:
    response = web.get(f"/portal/v/{village.codes[0]}?s=desa-p")
    back = quote(f"/portal/v/{village.codes[0]}?s=desa-p")
    assert f'href="/portal/lang/en?back={back}"' in response.text


def test_page_in_english_on_request(web: TestClient, village: Village) -> None:
    response = web.get(f"/portal/v/{village.codes[0]}?s=desa-p&lang=en")
    assert '<html lang="en">' in response.text
    assert "Connect your phone to the village Wi-Fi." in response.text


def test_login_form_is_filled_in_from_the_card_and_emptied_after_use(
    web: TestClient, village: Village
) -> None:
    code = village.codes[1]
    assert 'name="code" value=""' in landing(web, village)
    web.get(f"/portal/v/{code}?s=desa-p")
    page = landing(web, village)
    assert f'name="code" value="{format_code(code)}"' in page
    fields = form_fields(page, "/portal/voucher")  # CSRF and signed context as before
    response = web.post("/portal/voucher", data=fields | {"code": format_code(code)})
    assert form_fields(response.text, "http://10.5.50.1/login")["username"] == code
    assert f'{CODE_COOKIE}=""' in response.headers["set-cookie"]
    assert 'name="code" value=""' in landing(web, village)


def test_a_forged_cookie_fills_in_nothing(web: TestClient, village: Village) -> None:
    web.cookies.set(CODE_COOKIE, '"><script>x</script>')
    page = landing(web, village)
    assert 'name="code" value=""' in page and "<script>x" not in page


def test_the_card_code_and_language_come_back_through_the_routers_link_orig(
    web: TestClient, village: Village
) -> None:
    code = village.codes[1]
    link = f"http://127.0.0.1:8000/portal/v/{code}?lang=en"
    page = web.post("/portal/login", data=router_post(village, **{"link-orig": link}))
    assert f'value="{format_code(code)}"' in page.text and '<html lang="en">' in page.text
    elsewhere = web.post(
        "/portal/login",
        data=router_post(village, **{"link-orig": f"http://evil.example/portal/v/{code}"}),
    )
    assert format_code(code) not in elsewhere.text  # only our own card pages count
