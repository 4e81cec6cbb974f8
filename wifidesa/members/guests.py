"""Guest devices: the free-access account of a device at a site (known by its MAC)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from wifidesa.db.models import Account, AccountKind, GuestDevice


def guest_account(*, session: Session, site_id: int, profile_id: int, mac: str) -> Account:
    """The free-access account of a device at a site, created on its first visit."""
    found = session.scalar(
        select(GuestDevice).where(GuestDevice.site_id == site_id, GuestDevice.mac == mac)
    )
    if found is not None:
        return found.account
    account = Account(kind=AccountKind.GUEST, site_id=site_id, profile_id=profile_id)
    session.add(GuestDevice(account=account, site_id=site_id, mac=mac))
    session.flush()
    return account
