"""Ways of logging in: which a village offers (vouchers, residents, free access), and which
way an accepted login took (`LoginKind`, counted in statistics).

One rule for every path: the portal hides a switched-off form and refuses a direct POST to
it, and RADIUS refuses a login of that kind, so a token or a code minted elsewhere cannot
get around the village's choice.
"""

from __future__ import annotations

from enum import StrEnum

from wifidesa.db.models import AccountKind, Site


class LoginKind(StrEnum):
    """How an accepted login was made, as statistics tell them apart."""

    VOUCHER = "voucher"  # a voucher code, typed on the router's page or handed on by the portal
    RESIDENT = "resident"  # a resident (member) account, by the portal's one-time token
    FREE = "free"  # free click-through access of a guest device
    REMEMBERED_DEVICE = "remembered_device"  # MAC authentication of a remembered device


_KIND_OF_ACCOUNT = {
    AccountKind.VOUCHER: LoginKind.VOUCHER,
    AccountKind.MEMBER: LoginKind.RESIDENT,
    AccountKind.GUEST: LoginKind.FREE,
}


def login_kind(*, account: AccountKind, mac_login: bool) -> LoginKind:
    """The kind of a login of an account of this kind; a MAC login is a remembered device
    whatever its account (the villager typed nothing)."""
    return LoginKind.REMEMBERED_DEVICE if mac_login else _KIND_OF_ACCOUNT[account]


def way_offered(
    *, kind: AccountKind, allow_voucher: bool, allow_member: bool, allow_free: bool
) -> bool:
    """Whether a village with these options lets an account of this kind log in."""
    if kind is AccountKind.VOUCHER:
        return allow_voucher
    if kind is AccountKind.MEMBER:
        return allow_member
    return allow_free


def site_offers(site: Site, kind: AccountKind) -> bool:
    """`way_offered` for a site row."""
    return way_offered(
        kind=kind,
        allow_voucher=site.allow_voucher,
        allow_member=site.allow_member,
        allow_free=site.allow_free,
    )
