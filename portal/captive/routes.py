"""Captive-portal routes: the router's login page posts here; the villager logs in; the browser
hands the router a username and a (CHAP-hashed) one-time password."""

from __future__ import annotations

import hmac
import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.captive.signing import Signer, new_csrf_token, pack_client, unpack_client
from portal.database import reads, writes
from portal.forms import HotspotFields, PlainForm
from portal.i18n import COOKIE, LANGUAGES, chosen_language, request_language, translations
from wifidesa.access import attempts
from wifidesa.access.captive import (
    Handoff,
    HotspotClient,
    PortalProblem,
    PortalRefused,
    check_member,
    check_router,
    decode_octal,
    free_login,
    hotspot_for_site,
    member_login,
    village_has_pin_cards,
    voucher_login,
)
from wifidesa.access.refusals import is_our_refusal
from wifidesa.access.tokens import MintRefused
from wifidesa.db.engine import transaction, utcnow
from wifidesa.db.models import Router, Site
from wifidesa.errors import translate_error
from wifidesa.i18n import PORTAL_ZONE, format_time, zone_name
from wifidesa.usernames import normalize_code
from wifidesa.vouchers.codes import format_code

router = APIRouter()
CSRF_COOKIE = "wd_csrf"
# A voucher card's QR code leaves its code here, for the login form to fill in. Ten minutes
# are enough to join the village Wi-Fi after scanning; a printed bearer code should not linger.
CODE_COOKIE = "wd_code"
CODE_COOKIE_SECONDS = 600
_CODE = re.compile(r"^[A-Z0-9]{4,32}$")  # generated and imported codes alike

# Messages by problem; msgids in English, shown in the villager's language.
PROBLEMS = {
    PortalProblem.UNKNOWN_ROUTER: "This Wi-Fi is not registered with the village internet service.",
    PortalProblem.BAD_LINK: "This login link does not belong to the village hotspot.",
    PortalProblem.NO_HOTSPOT: (
        "This village's router is not fully registered yet. Tell the village operator."
    ),
    PortalProblem.WRONG_CODE: "Wrong voucher code. Check the code on your card.",
    PortalProblem.WRONG_PASSWORD: "Wrong username or password.",
    PortalProblem.OTHER_SITE: "This account is for another village.",
    PortalProblem.DISABLED: "This account is disabled. Ask the village admin.",
    PortalProblem.EXPIRED: "This voucher has expired.",
    PortalProblem.FREE_CLOSED: "Free access is not offered in this village.",
    PortalProblem.WAY_CLOSED: "This village does not offer this way of logging in.",
    PortalProblem.NO_DEVICE: "Your device could not be recognised. Reconnect to the Wi-Fi.",
    PortalProblem.TOO_MANY_ATTEMPTS: "Too many failed attempts. Try again after {time}.",
}
# RouterOS's own login errors, shown in the villager's language.
ROUTER_ERRORS = {
    "invalid username or password": "Wrong username or password.",
    "no more sessions are allowed for user": "This account is already in use on another device.",
    "RADIUS server is not responding": "The login service is not reachable. Try again soon.",
}


def gettext_of(request: Request) -> Any:
    return translations(request_language(request)).gettext


def portal_page(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    language = request_language(request)
    templates = request.app.state.templates
    response: Response = templates.TemplateResponse(
        request,
        template,
        {"_": gettext_of(request), "lang": language, **context},
        status_code=status,
    )
    if chosen_language(request) == language:
        response.set_cookie(COOKIE, language, max_age=365 * 86400, samesite="lax")
    return response


def _signer(request: Request) -> Signer:
    return Signer(request.app.state.settings.secret_key, "portal-client")


def _refusal(request: Request, problem: PortalProblem, status: int = 400) -> Response:
    return portal_page(
        request,
        "portal/message.html",
        status,
        message=gettext_of(request)(PROBLEMS[problem]).format(time=""),
    )


def _landing(
    request: Request,
    session: Session,
    client: HotspotClient,
    router_row: Router,
    error: str | None = None,
    status: int = 200,
) -> Response:
    site = session.get(Site, router_row.site_id)
    csrf = request.cookies.get(CSRF_COOKIE) or new_csrf_token()
    from_card = _from_card_link(request, client.link_orig)
    card_code = _card_code(request.cookies.get(CODE_COOKIE, "")) or from_card
    response = portal_page(
        request,
        "portal/landing.html",
        status,
        site=site,
        error=error,
        ctx=pack_client(_signer(request), client),
        csrf=csrf,
        router_name=router_row.name,
        code=format_code(card_code) if card_code else "",
        pin_cards=village_has_pin_cards(session=session, site_id=router_row.site_id),
    )
    response.set_cookie(CSRF_COOKIE, csrf, httponly=True, samesite="strict")
    return response


@router.api_route("/portal/login", methods=["GET", "POST"], response_class=HTMLResponse)
def hotspot_login(request: Request, fields: HotspotFields) -> Response:
    """Where the router's login.html sends the client, with the hotspot's variables."""

    def value(name: str) -> str:
        return str(fields.get(name) or "").strip()[:512]

    client = HotspotClient(
        # link-login-only is not read: the hand-off goes to the router's registered address.
        router=value("router"),
        mac=value("mac") or None,
        ip=value("ip") or None,
        link_orig=value("link-orig") or None,
        chap_id=decode_octal(value("chap-id")),
        chap_challenge=decode_octal(value("chap-challenge")),
    )
    return render_landing(request, client, _router_error(request, value("error")))


def _router_error(request: Request, error: str) -> str | None:
    """What to show of the router's `error`: RouterOS's own messages and our RADIUS refusals;
    any other text (it comes from a URL anyone can write) as a general refusal."""
    if not error:
        return None
    if error in ROUTER_ERRORS:
        return str(gettext_of(request)(ROUTER_ERRORS[error]))
    if is_our_refusal(error):
        return error
    return str(gettext_of(request)("The router refused the login. Try again."))


def render_landing(
    request: Request, client: HotspotClient, error: str | None = None, status: int = 200
) -> Response:
    with reads(request)() as session:
        try:
            router_row = check_router(session=session, client=client)
        except PortalRefused as exc:
            return _refusal(request, exc.problem)
        return _landing(request, session, client, router_row, error=error, status=status)


def _login(request: Request, kind: str, form: dict[str, str]) -> Response:

    def field(name: str) -> str:
        return str(form.get(name) or "")[:256]

    token, cookie = field("csrf"), request.cookies.get(CSRF_COOKIE, "")
    if not cookie or not hmac.compare_digest(token, cookie):
        return portal_page(
            request,
            "portal/message.html",
            403,
            message=gettext_of(request)("The form expired. Open the login page again."),
        )
    client = unpack_client(_signer(request), str(form.get("ctx") or "")[:4096])
    if client is None:
        return _refusal(request, PortalProblem.BAD_LINK)
    # Never the client's address: a whole village, or several, shares one (CGNAT).
    counters = attempts.portal_counters(router=client.router, mac=client.mac)
    now = utcnow()
    blocked = attempts.guarded(
        reads(request), attempts.blocked_until, counters=counters, now=now, fallback=None
    )
    if blocked is not None:
        _ = gettext_of(request)
        clock = format_time(moment=blocked, zone=PORTAL_ZONE, gettext=_)
        message = _(PROBLEMS[PortalProblem.TOO_MANY_ATTEMPTS]).format(
            time=f"{clock} {zone_name(PORTAL_ZONE)}"
        )
        return render_landing(request, client, message, 429)
    try:
        # A refusal leaves the block by its exception, so the transaction rolls back.
        member_id = None
        if kind == "member":  # the password check (argon2) before any write lock is taken
            with reads(request)() as session:
                member_id = check_member(
                    session=session, username=field("username"), password=field("password")
                )
        with transaction(writes(request)) as session:
            router_row = check_router(session=session, client=client)
            handoff = _attempt(session, kind, client, router_row, field, now, member_id)
    except PortalRefused as exc:
        request.app.state.login_counts.refused(
            read_sessions=reads(request), client=client, problem=exc.problem, at=now
        )
        if exc.problem in (
            PortalProblem.UNKNOWN_ROUTER,
            PortalProblem.BAD_LINK,
            PortalProblem.NO_HOTSPOT,
        ):
            return _refusal(request, exc.problem)
        if exc.problem in (PortalProblem.WRONG_CODE, PortalProblem.WRONG_PASSWORD):
            attempts.guarded(
                writes(request),
                attempts.record_failure,
                counters=counters,
                now=now,
                fallback=None,
            )
        return render_landing(request, client, gettext_of(request)(PROBLEMS[exc.problem]), 400)
    except MintRefused as exc:  # too many logins asked for: not a wrong code, not counted
        return render_landing(request, client, translate_error(exc, gettext_of(request)), 429)
    attempts.guarded(writes(request), attempts.record_success, counters=counters, fallback=None)
    response = _handoff(request, handoff)
    if kind == "voucher":
        response.delete_cookie(CODE_COOKIE)  # used: the next login form starts empty
    return response


def _attempt(
    session: Session,
    kind: str,
    client: HotspotClient,
    router_row: Router,
    field: Any,
    now: Any,
    member_id: int | None,
) -> Handoff:
    if kind == "voucher":
        return voucher_login(
            session=session,
            client=client,
            router=router_row,
            code=field("code"),
            pin=field("pin"),
            now=now,
        )
    if kind == "member":
        assert member_id is not None  # checked before the transaction began
        return member_login(
            session=session,
            client=client,
            router=router_row,
            account_id=member_id,
            now=now,
            remember=field("remember") == "1",
        )
    if field("terms") != "1":
        raise PortalRefused(PortalProblem.FREE_CLOSED)
    return free_login(session=session, client=client, router=router_row, now=now)


def _handoff(request: Request, handoff: Handoff) -> Response:
    response = portal_page(request, "portal/handoff.html", handoff=handoff)
    response.headers["Cache-Control"] = "no-store"  # it carries a one-time password
    return response


@router.post("/portal/voucher", response_class=HTMLResponse)
def voucher(request: Request, form: PlainForm) -> Response:
    return _login(request, "voucher", form)


@router.post("/portal/member", response_class=HTMLResponse)
def member(request: Request, form: PlainForm) -> Response:
    return _login(request, "member", form)


@router.post("/portal/free", response_class=HTMLResponse)
def free(request: Request, form: PlainForm) -> Response:
    return _login(request, "free", form)


def card_link(request: Request, code: str) -> str:
    """Our page of a voucher card, in the villager's language."""
    public = str(request.app.state.settings.public_url).rstrip("/")
    return f"{public}/portal/v/{code}?lang={request_language(request)}"


def _from_card_link(request: Request, link: str | None) -> str | None:
    """The card code (and the language) a villager came with through the router: the card
    page's Continue link names it as the hotspot's `dst`, which RouterOS's login page sends
    back as `link-orig`. A cookie would not come along: the router's page posts to us from
    another site, and SameSite cookies stay behind."""
    if not link:
        return None
    public = urlsplit(str(request.app.state.settings.public_url))
    parts = urlsplit(link)
    if (parts.scheme, parts.netloc) != (public.scheme, public.netloc):
        return None
    prefix = public.path.rstrip("/") + "/portal/v/"
    if not parts.path.startswith(prefix):
        return None
    language = dict(parse_qsl(parts.query)).get("lang")
    if language in LANGUAGES:
        request.state.lang = language
    return _card_code(parts.path[len(prefix) :])


def _card_code(text: str) -> str | None:
    """A voucher code from a card's QR link or the cookie, or None if it cannot be one."""
    code = normalize_code(text[:64])
    return code if _CODE.match(code) else None


@router.get("/portal/v/{code}", response_class=HTMLResponse)
def voucher_card(request: Request, code: str, s: str = "") -> Response:
    """Where a voucher card's QR code leads: join the Wi-Fi, then log in with the code filled in.

    The card's link names its village (`?s=` site code, public: it is in every login page), and
    the page is built from the link alone: the code is never looked up, so a known and an
    unknown code get the same page, in the same time (and codes have 50 bits: no guessing).
    """
    card_code = _card_code(code)
    login_url = None
    if card_code is not None and s:
        with reads(request)() as session:
            hotspot = hotspot_for_site(session=session, site_code=s)
        if hotspot is not None:
            # The code and the language travel through the router as its `dst`.
            login_url = f"{hotspot}?{urlencode({'dst': card_link(request, card_code)})}"
    back = request.url.path + (f"?{urlencode({'s': s[:32]})}" if s else "")
    response = portal_page(
        request,
        "portal/voucher_link.html",
        login_url=login_url,
        display_code=format_code(card_code) if card_code else None,
        back=back,
    )
    response.headers["Cache-Control"] = "no-store"  # the page carries a bearer code
    response.headers["Referrer-Policy"] = "no-referrer"  # and so does its URL
    if login_url and card_code:
        response.set_cookie(
            CODE_COOKIE,
            card_code,
            max_age=CODE_COOKIE_SECONDS,
            httponly=True,
            samesite="lax",
            secure=request.app.state.settings.public_url.startswith("https://"),
        )
    return response


@router.get("/portal/lang/{language}")
def switch_language(request: Request, language: str, back: str = "/") -> Response:
    target = back if back.startswith("/") and not back.startswith("//") else "/"
    response = RedirectResponse(target, status_code=303)
    if language in ("id", "en"):
        response.set_cookie(COOKIE, language, max_age=365 * 86400, samesite="lax")
    return response


@router.get("/portal/logo/{site_code}")
def logo(request: Request, site_code: str) -> Response:
    with reads(request)() as session:
        row = session.execute(
            select(Site.logo, Site.logo_type).where(Site.code == site_code[:32])
        ).first()
    if row is None or row.logo is None:
        return Response(status_code=404)
    # A day in the browser's cache: the logo costs the satellite link once, not every login.
    return Response(
        row.logo,
        media_type=row.logo_type,
        headers={"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"},
    )
