"""The captive portal's decisions: which router asks, who may log in, what to hand the router.

The router's login page posts the client's details here; the portal checks the credentials
and answers with a form that the browser submits to the router's own login page. That address
is built from what the router was registered with (`places.routers.hotspot_url`), never taken
from the request: an echoed `link-login-only` that Python and a browser parse differently
(`http://attacker\\@router/login`) would make the portal a phishing relay. The password handed
over is a fresh one-time token (residents, free access) or the voucher code, CHAP-hashed here
when the router offers CHAP, so no JavaScript crypto is needed.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from wifidesa.access.tokens import check_new_guest, mint_token
from wifidesa.access.ways import site_offers
from wifidesa.db.models import Account, AccountStatus, Member, Router, Site, Voucher
from wifidesa.members.guests import guest_account
from wifidesa.passwords import verify_nothing, verify_password
from wifidesa.places.routers import hotspot_url
from wifidesa.usernames import guest_username, normalize_code, normalize_mac


class PortalProblem(StrEnum):
    """Why the portal refuses; the web edge turns it into words in the villager's language."""

    UNKNOWN_ROUTER = "unknown_router"
    BAD_LINK = "bad_link"  # the signed hotspot context came back altered
    NO_HOTSPOT = "no_hotspot"  # the router has no hotspot address registered
    WRONG_CODE = "wrong_code"
    WRONG_PASSWORD = "wrong_password"  # noqa: S105 - a reason, not a password
    OTHER_SITE = "other_site"
    DISABLED = "disabled"
    EXPIRED = "expired"
    FREE_CLOSED = "free_closed"
    WAY_CLOSED = "way_closed"  # vouchers or residents switched off for this village
    NO_DEVICE = "no_device"
    TOO_MANY_ATTEMPTS = "too_many_attempts"


class PortalRefused(Exception):
    def __init__(self, problem: PortalProblem) -> None:
        self.problem = problem
        super().__init__(problem.value)


@dataclass(frozen=True)
class HotspotClient:
    """What the router's login page said about the client (untrusted until checked)."""

    router: str
    mac: str | None = None
    ip: str | None = None
    link_orig: str | None = None
    chap_id: bytes | None = None
    chap_challenge: bytes | None = None


@dataclass(frozen=True)
class Handoff:
    """The form the browser posts to the router: its hotspot logs the client in with it."""

    action: str
    username: str
    password: str
    dst: str | None


_OCTAL = re.compile(r"\\([0-7]{1,3})")


def decode_octal(text: str | None) -> bytes | None:
    """RouterOS writes chap-id/chap-challenge as octal escapes ('\\371\\357...'): to bytes."""
    if not text:
        return None
    out = bytearray()
    pos = 0
    for match in _OCTAL.finditer(text):
        out.extend(text[pos : match.start()].encode("latin-1"))
        out.append(int(match.group(1), 8) & 0xFF)
        pos = match.end()
    out.extend(text[pos:].encode("latin-1"))
    return bytes(out)


def safe_redirect(url: str | None) -> str | None:
    """The page the villager wanted, if it is a plain http(s) URL; anything else is dropped."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return parts.geturl()[:2000]


def check_router(*, session: Session, client: HotspotClient) -> Router:
    """The registered, active router the login page names, with a hotspot address to hand the
    client back to."""
    router = session.scalar(select(Router).where(Router.name == client.router))
    if router is None or not router.is_active:
        raise PortalRefused(PortalProblem.UNKNOWN_ROUTER)
    if hotspot_url(router) is None:
        raise PortalRefused(PortalProblem.NO_HOTSPOT)
    return router


def client_site(*, session: Session, client: HotspotClient) -> tuple[int, str] | None:
    """The village (site id, time zone) of the router the login page names, if registered."""
    found = session.execute(
        select(Site.id, Site.timezone)
        .join(Router, Router.site_id == Site.id)
        .where(Router.name == client.router)
    ).first()
    return (found.id, found.timezone) if found is not None else None


def chap_response(chap_id: bytes, secret: str, challenge: bytes) -> str:
    """What RouterOS's CHAP login expects as password: hex MD5(id || secret || challenge)."""
    return hashlib.md5(chap_id + secret.encode() + challenge).hexdigest()  # noqa: S324 - CHAP


def handoff(client: HotspotClient, router: Router, username: str, secret: str) -> Handoff:
    if client.chap_id and client.chap_challenge:
        password = chap_response(client.chap_id[:1], secret, client.chap_challenge)
    else:  # a router that allows PAP only
        password = secret
    action = hotspot_url(router, "login")
    assert action is not None  # check_router refused routers without a hotspot address
    return Handoff(
        action=action,
        username=username,
        password=password,
        dst=safe_redirect(client.link_orig),
    )


def _usable(account: Account, router: Router, now: datetime) -> None:
    if account.site_id != router.site_id:
        raise PortalRefused(PortalProblem.OTHER_SITE)
    if not site_offers(router.site, account.kind):
        raise PortalRefused(PortalProblem.WAY_CLOSED)
    if account.status is not AccountStatus.ACTIVE:
        raise PortalRefused(PortalProblem.DISABLED)
    if account.expires_at is not None and account.expires_at <= now:
        raise PortalRefused(PortalProblem.EXPIRED)


def voucher_login(
    *,
    session: Session,
    client: HotspotClient,
    router: Router,
    code: str,
    now: datetime,
    pin: str = "",
) -> Handoff:
    """A voucher: checked here for a friendly message; the router sends it on to RADIUS. A card
    imported with a PIN needs its PIN as well, as on the router's own page: the code alone is
    printed on the card, the PIN hidden under its scratch layer."""
    voucher = session.scalar(select(Voucher).where(Voucher.code == normalize_code(code)))
    if voucher is None:
        raise PortalRefused(PortalProblem.WRONG_CODE)
    if voucher.password is not None and not hmac.compare_digest(
        pin.strip().encode(), voucher.password.encode()
    ):
        raise PortalRefused(PortalProblem.WRONG_CODE)
    _usable(voucher.account, router, now)
    return handoff(client, router, voucher.code, voucher.password or voucher.code)


def village_has_pin_cards(*, session: Session, site_id: int) -> bool:
    """Whether any card of the village was imported with a PIN (the portal then asks for it)."""
    query = (
        select(Voucher.account_id)
        .join(Account, Account.id == Voucher.account_id)
        .where(Account.site_id == site_id, Voucher.password.is_not(None))
        .limit(1)
    )
    return session.scalar(query) is not None


def check_member(*, session: Session, username: str, password: str) -> int:
    """The account id of the resident with these credentials; PortalRefused otherwise, after
    the same time for an unknown name as for a wrong password.

    It only reads: run it before the transaction that mints the token, so the password check
    (argon2, ~0.2 s) holds no lock."""
    member = session.scalar(select(Member).where(Member.username == username.strip().lower()))
    if member is None:
        verify_nothing(password)
        raise PortalRefused(PortalProblem.WRONG_PASSWORD)
    if not verify_password(password, member.password_hash):
        raise PortalRefused(PortalProblem.WRONG_PASSWORD)
    return member.account_id


def member_login(
    *,
    session: Session,
    client: HotspotClient,
    router: Router,
    account_id: int,
    now: datetime,
    remember: bool = False,
) -> Handoff:
    """A resident whose password `check_member` accepted: the router gets a token."""
    member = session.get(Member, account_id)
    if member is None:  # removed in between
        raise PortalRefused(PortalProblem.WRONG_PASSWORD)
    _usable(member.account, router, now)
    mac = normalize_mac(client.mac)
    token = mint_token(
        session=session,
        account_id=member.account_id,
        now=now,
        router_id=router.id,
        mac=mac,
        remember_device=remember and mac is not None,
    )
    return handoff(client, router, member.username, token)


def free_login(
    *, session: Session, client: HotspotClient, router: Router, now: datetime
) -> Handoff:
    """Free access after accepting the terms: a guest account per device, a token per login."""
    site = session.get(Site, router.site_id)
    if site is None or not site.allow_free or site.free_profile_id is None:
        raise PortalRefused(PortalProblem.FREE_CLOSED)
    mac = normalize_mac(client.mac)
    if mac is None:
        raise PortalRefused(PortalProblem.NO_DEVICE)
    check_new_guest(session=session, router_id=router.id, site_id=site.id, mac=mac, now=now)
    account = guest_account(
        session=session, site_id=site.id, profile_id=site.free_profile_id, mac=mac
    )
    _usable(account, router, now)
    token = mint_token(
        session=session, account_id=account.id, now=now, router_id=router.id, mac=mac
    )
    return handoff(client, router, guest_username(mac), token)


def hotspot_for_site(*, session: Session, site_code: str) -> str | None:
    """The login page of an active router of the village with this code (None if none).

    A card's QR code names its village beside the code, so the card page can lead on to the
    hotspot without looking the code up: known and unknown codes get the same page.
    """
    router = session.scalar(
        select(Router)
        .join(Site, Site.id == Router.site_id)
        .where(
            Site.code == site_code[:32],
            Router.is_active.is_(True),
            Router.hotspot_address.is_not(None),
        )
        .order_by(Router.id)
        .limit(1)
    )
    return hotspot_url(router) if router is not None else None
