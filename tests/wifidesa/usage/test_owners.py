"""Who accounting records belong to, and what a long-running caller may keep between batches."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session
from wdtest.factories import make_batch, make_profile, make_router, make_site

from wifidesa.crypto import SecretBox
from wifidesa.db.models import Voucher
from wifidesa.members.guests import guest_account
from wifidesa.usage.owners import Owners, resolve_accounts
from wifidesa.usage.records import AcctEvent, AcctRecord

T0 = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)


def _record(site_id: int, router_id: int, username: str, account_id: int | None = None) -> Any:
    return AcctRecord(
        event=AcctEvent.INTERIM,
        router_id=router_id,
        site_id=site_id,
        event_time=T0,
        acct_session_id="s1",
        username=username,
        account_id=account_id,
    )


def test_known_owners_are_not_looked_up_again(session: Session, box: SecretBox) -> None:
    site = make_site(session)
    router = make_router(session, box, site=site)
    plain = make_profile(session, name="plain", interim_interval=120)
    capped = make_profile(session, name="capped", daily_bytes=10**9)
    _, (code,) = make_batch(session=session, site_code=site.code, profile_name=plain.name, count=1)
    _, (capped_code,) = make_batch(
        session=session, site_code=site.code, profile_name=capped.name, count=1
    )
    session.commit()
    account_id = session.query(Voucher.account_id).filter(Voucher.code == capped_code).scalar()
    queries: list[str] = []
    event.listen(session.get_bind(), "before_cursor_execute", lambda *a: queries.append(a[2]))
    known = Owners()
    batch = [
        _record(site.id, router.id, code),
        _record(site.id, router.id, "", account_id),  # the router echoed our Class
        _record(site.id, router.id, "NOBODY99"),
    ]
    owners = resolve_accounts(session, batch, known)
    assert owners is known and len(queries) == 1
    plain_account = owners.by_name[(site.id, code)]
    assert owners.intervals == {plain_account: 120, account_id: capped.interim_interval}
    assert owners.with_quota == {account_id}
    assert (site.id, "NOBODY99") not in owners.by_name

    resolve_accounts(session, batch[:2], known)
    assert len(queries) == 1  # all known: no query
    resolve_accounts(session, batch, known)
    assert len(queries) == 2  # an unknown name is asked again (it may exist by now)


def test_a_class_counts_only_at_its_accounts_own_site(session: Session, box: SecretBox) -> None:
    """One compromised router must not burn another village's quota through Class."""
    ours, theirs = make_site(session), make_site(session)
    router = make_router(session, box, site=ours)
    profile = make_profile(session)
    _, (own_code,) = make_batch(
        session=session, site_code=ours.code, profile_name=profile.name, count=1
    )
    _, (their_code,) = make_batch(
        session=session, site_code=theirs.code, profile_name=profile.name, count=1
    )
    session.commit()
    own, their = (
        session.query(Voucher.account_id).filter(Voucher.code == c).scalar()
        for c in (own_code, their_code)
    )
    records = {
        "own class": _record(ours.id, router.id, "", own),
        "their class": _record(ours.id, router.id, "", their),
        "their class, own code": _record(ours.id, router.id, own_code, their),
        "their code": _record(ours.id, router.id, their_code),
        "no such account": _record(ours.id, router.id, "", 987_654),
    }
    owners = resolve_accounts(session, list(records.values()))
    found = {what: owners.account_of(r) for what, r in records.items()}
    assert found == {
        "own class": own,
        "their class": None,
        "their class, own code": own,  # the Class is refused; the user name still counts
        "their code": None,
        "no such account": None,
    }
    refused = {what for what, r in records.items() if owners.class_refused(r)}
    assert refused == {"their class", "their class, own code", "no such account"}
    assert owners.absent == {987_654}


def test_a_guest_device_is_found_at_its_own_site(session: Session, box: SecretBox) -> None:
    """Guests are one MAC at one site, as at login: the same phone in two villages is two
    guest accounts, and each village's accounting finds its own."""
    one, two, three = make_site(session), make_site(session), make_site(session)
    profile = make_profile(session)
    mac = "AA:BB:CC:00:00:77"
    accounts = {
        site.id: guest_account(session=session, site_id=site.id, profile_id=profile.id, mac=mac).id
        for site in (one, two)
    }
    session.commit()
    records = [_record(site.id, 1, "tamu-AABBCC000077") for site in (one, two, three)]
    owners = resolve_accounts(session, records)
    assert [owners.account_of(r) for r in records] == [accounts[one.id], accounts[two.id], None]
