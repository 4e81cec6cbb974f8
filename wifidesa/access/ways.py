"""Which ways of logging in a village offers: vouchers, residents, free access.

One rule for every path: the portal hides a switched-off form and refuses a direct POST to
it, and RADIUS refuses a login of that kind, so a token or a code minted elsewhere cannot
get around the village's choice.
"""

from __future__ import annotations

from wifidesa.db.models import AccountKind, Site


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
