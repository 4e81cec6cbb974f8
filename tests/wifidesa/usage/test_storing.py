"""Storing a batch: one record the database refuses costs the others nothing."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from wdtest.factories import make_batch, make_profile, make_router, make_site

from wifidesa.crypto import SecretBox
from wifidesa.db.engine import WriterLock
from wifidesa.db.models import Account, AcctSession
from wifidesa.usage.accounting import AcctCache, AcctResult
from wifidesa.usage.records import AcctEvent, AcctRecord
from wifidesa.usage.storing import store_accounting

T0 = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)


def test_records_the_database_refuses_are_reported_and_the_rest_stored(
    engine: Engine, sessions: sessionmaker[Session], box: SecretBox
) -> None:
    with sessions.begin() as session:
        site = make_site(session)
        router = make_router(session, box, site=site)
        profile = make_profile(session)
        _, (code,) = make_batch(
            session=session, site_code=site.code, profile_name=profile.name, count=1
        )
        site_id, router_id = site.id, router.id

    def record(sid: str, octets: int = 100) -> AcctRecord:
        return AcctRecord(
            event=AcctEvent.INTERIM,
            router_id=router_id,
            site_id=site_id,
            event_time=T0,
            acct_session_id=sid,
            username=code,
            output_octets=octets,
        )

    # Past any 64-bit column: the edge bounds what it decodes, this is the net under it.
    records = [record(f"s{n}", 1 << 64 if n in (2, 5) else 100) for n in range(9)]
    result = store_accounting(
        sessions=sessions,
        lock=WriterLock(str(engine.url)),
        records=records,
        box=box,
        now=T0,
        cache=AcctCache(),
    )
    assert sorted(result.not_stored) == [2, 5]
    assert result.retried is not None and result.sessions_started == 7
    with sessions() as session:
        stored = set(session.scalars(select(AcctSession.acct_session_id)))
    assert stored == {f"s{n}" for n in (0, 1, 3, 4, 6, 7, 8)}


def test_an_account_deleted_since_an_earlier_batch_is_looked_up_again(
    engine: Engine, sessions: sessionmaker[Session], box: SecretBox
) -> None:
    """The worker keeps the owners it found between batches; one deleted meanwhile (its
    vouchers thrown away) failed the foreign key of every later session of that code."""
    with sessions.begin() as session:
        site = make_site(session)
        router = make_router(session, box, site=site)
        profile = make_profile(session)
        _, (code,) = make_batch(
            session=session, site_code=site.code, profile_name=profile.name, count=1
        )
        site_id, router_id = site.id, router.id
    cache, lock = AcctCache(), WriterLock(str(engine.url))

    def store(*sids: str) -> AcctResult:
        records = [
            AcctRecord(
                event=AcctEvent.START,
                router_id=router_id,
                site_id=site_id,
                event_time=T0,
                acct_session_id=sid,
                username=code,
            )
            for sid in sids
        ]
        return store_accounting(
            sessions=sessions, lock=lock, records=records, box=box, now=T0, cache=cache
        )

    assert not store("first").not_stored
    with sessions.begin() as session:
        session.execute(delete(Account))
    for sids in (("second", "third"), ("fourth",)):
        assert not store(*sids).not_stored
        cache.owners.by_name[(site_id, code)] = 12345  # as if found before it was deleted
    with sessions() as session:
        query = select(AcctSession.acct_session_id, AcctSession.account_id)
        accounts = {row.acct_session_id: row.account_id for row in session.execute(query)}
    assert accounts == dict.fromkeys(("first", "second", "third", "fourth"))
