"""Who the records of an accounting batch belong to: one statement for the whole batch.

Routers echo the Class we gave at login; when one does not (an older login, another NAS), the
user name is looked up as a voucher code, a member name or a guest device, as at login.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import String, cast, exists, literal, null, select, union_all
from sqlalchemy.orm import Session

from wifidesa.db.bulk import is_postgresql, one_of
from wifidesa.db.models import Account, GuestDevice, Member, Profile, ProfileLimit, Voucher
from wifidesa.usage.records import AcctRecord
from wifidesa.usernames import parse_login_name


def _owned(kind: str, key: Any) -> Any:
    has_limits = exists().where(ProfileLimit.profile_id == Profile.id)
    return (
        select(
            literal(kind), key, Account.id, Account.site_id, Profile.interim_interval, has_limits
        )
        .select_from(Account)
        .join(Profile, Profile.id == Account.profile_id)
    )


# Accounts by the Class we gave at login, or by user name (voucher code, member, guest device),
# with their site, interim interval and whether their profile has a quota.
def _branch(name: str, postgresql: bool) -> Any:
    if name == "codes":
        return (
            _owned("code", Voucher.code)
            .join(Voucher, Voucher.account_id == Account.id)
            .where(one_of(Voucher.code, name, postgresql=postgresql))
        )
    if name == "members":
        return (
            _owned("member", Member.username)
            .join(Member, Member.account_id == Account.id)
            .where(one_of(Member.username, name, postgresql=postgresql))
        )
    if name == "guests":
        # A guest device is one MAC at one site (as at login): every site's row comes back
        # and the records pick their own router's.
        return (
            _owned("guest", GuestDevice.mac)
            .join(GuestDevice, GuestDevice.account_id == Account.id)
            .where(one_of(GuestDevice.mac, name, postgresql=postgresql))
        )
    return _owned("id", cast(null(), String)).where(one_of(Account.id, name, postgresql=postgresql))


@cache
def _owners_query(branches: tuple[str, ...], postgresql: bool) -> Any:
    """One statement for the batch, of only the lookups it needs: an empty IN list made SQLite
    scan every account."""
    selects = [_branch(b, postgresql) for b in branches]
    return union_all(*selects) if len(selects) > 1 else selects[0]


@dataclass
class Owners:
    """Account ids by (site, user name); site, interim interval and quota by account id.

    An account counts only at its own site, as at login: a Class naming another village's
    account (or none at all) and a user name of another village find no account here.
    """

    by_name: dict[tuple[int, str], int] = field(default_factory=dict)
    sites: dict[int, int] = field(default_factory=dict)
    intervals: dict[int, int] = field(default_factory=dict)
    with_quota: set[int] = field(default_factory=set)
    absent: set[int] = field(default_factory=set)  # Class ids of no account at all

    def remember(self, known: Owners) -> None:
        """Keep what `known` found (a cache across batches)."""
        if len(self.by_name) + len(self.intervals) + len(self.absent) > _CACHE_LIMIT:
            self.by_name.clear()
            self.sites.clear()
            self.intervals.clear()
            self.with_quota.clear()
            self.absent.clear()
        self.by_name.update(known.by_name)
        self.sites.update(known.sites)
        self.intervals.update(known.intervals)
        self.with_quota -= known.intervals.keys()
        self.with_quota |= known.with_quota
        self.absent |= known.absent

    def class_refused(self, record: AcctRecord) -> bool:
        """The record's Class names an account that is not of its router's site, or none."""
        return record.account_id is not None and (
            self.sites.get(record.account_id) != record.site_id
        )

    def account_of(self, record: AcctRecord) -> int | None:
        """The record's account: by its Class if that names an account of the router's site,
        else by its user name at that site; None if neither finds one."""
        if record.account_id is not None and not self.class_refused(record):
            return record.account_id
        return self.by_name.get((record.site_id, record.username)) if record.username else None


_CACHE_LIMIT = 100_000


def resolve_accounts(
    session: Session, records: Sequence[AcctRecord], known: Owners | None = None
) -> Owners:
    """Accounts of the batch: by Class when the router echoed it, else by user name.

    `known`, if given, holds owners found by earlier batches: only the others are looked up,
    and what is found is added to it. A user name maps to one account for good; a profile's
    interval and quota may change, which is why long-running callers clear it now and then.
    A record whose Class is refused (see Owners) is looked up by its user name instead.
    """
    known = known if known is not None else Owners()
    ids = {
        r.account_id
        for r in records
        if r.account_id is not None
        and r.account_id not in known.sites
        and r.account_id not in known.absent
    }
    names = {
        (r.site_id, r.username)
        for r in records
        if r.username
        and (r.account_id is None or r.account_id in ids or known.class_refused(r))
        and (r.site_id, r.username) not in known.by_name
    }
    if names or ids:
        known.remember(_look_up(session, names, ids))
    return known


def _look_up(session: Session, names: set[tuple[int, str]], ids: set[int]) -> Owners:
    parsed = {name: parse_login_name(name) for _, name in names}
    params = {
        "codes": sorted({p.voucher_code for p in parsed.values()}),
        "members": sorted({p.member_username for p in parsed.values()}),
        "guests": sorted({p.guest_mac for p in parsed.values() if p.guest_mac}),
        "ids": sorted(ids),
    }
    owners, found = Owners(), dict[tuple[str, Any, int], int]()
    branches = tuple(name for name, keys in params.items() if keys)
    query = _owners_query(branches, is_postgresql(session))
    present = {b: params[b] for b in branches}
    for kind, key, account_id, site_id, interval, limited in session.connection().execute(
        query, present
    ):
        found[(kind, key, site_id)] = account_id
        owners.sites[account_id] = site_id
        owners.intervals[account_id] = interval
        if limited:
            owners.with_quota.add(account_id)
    owners.absent = ids - owners.sites.keys()
    for site_id, name in names:
        p = parsed[name]
        # A voucher code wins over a member name, which wins over a guest device.
        for key in (
            ("code", p.voucher_code, site_id),
            ("member", p.member_username, site_id),
            ("guest", p.guest_mac, site_id),
        ):
            if key in found:
                owners.by_name[(site_id, name)] = found[key]
                break
    return owners
