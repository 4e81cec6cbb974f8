"""Storing a batch of accounting records so that one bad record costs no other its answer.

A batch is one transaction (group commit). When it fails for something in the data (a foreign
key, a value out of a column's range) rather than the database being unreachable or busy, it is
stored again in parts, each in its own transaction, halved until a record that fails stands
alone: the good records are stored and may be answered, and the position of each one that
still fails is reported with the reason.
Records the edge decodes are bounded already (see records.py); this is the net under that.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session, sessionmaker

from wifidesa.crypto import SecretBox
from wifidesa.db.engine import WriterLock, transaction
from wifidesa.usage.accounting import AcctCache, AcctResult, record_accounting
from wifidesa.usage.records import AcctRecord

# The database is down, busy or locked: nothing about the records, and each of them would fail
# the same way (and wait as long): the batch stays unanswered and the router sends it again.
UNAVAILABLE = (
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.DisconnectionError,
    sa_exc.TimeoutError,
)


def _why(error: Exception) -> str:
    text = str(error).splitlines()[0][:200] if str(error) else ""
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _store(
    sessions: sessionmaker[Session],
    lock: WriterLock,
    records: Sequence[AcctRecord],
    *,
    box: SecretBox,
    now: datetime,
    cache: AcctCache,
) -> AcctResult:
    with lock.held(), transaction(sessions) as session:
        result = record_accounting(session=session, records=records, box=box, now=now, cache=cache)
    cache.committed(result)  # committed: only now may the cache (and the router) be told
    return result


def store_accounting(
    *,
    sessions: sessionmaker[Session],
    lock: WriterLock,
    records: Sequence[AcctRecord],
    box: SecretBox,
    now: datetime,
    cache: AcctCache,
) -> AcctResult:
    """Store the records (committed), in one transaction, or in parts if that fails.

    Raises when the database is unavailable and nothing was stored. Otherwise returns what was
    stored; `not_stored` holds the position in `records` of each record that was not, and why.
    """
    try:
        return _store(sessions, lock, records, box=box, now=now, cache=cache)
    except UNAVAILABLE:
        raise
    except Exception as error:
        batch_error = _why(error)
    # What earlier batches found may be what failed (an account deleted since): look again.
    cache.clear()
    result = AcctResult(retried=batch_error)
    # Halves, in order, each in its own transaction, down to the record that fails alone: a
    # batch of 512 with one bad record costs ~18 transactions (one by one took 0.7 s on
    # PostgreSQL, each commit a WAL flush). A lone record is tried once more.
    middle = len(records) // 2
    parts = [(0, middle), (middle, len(records))] if middle else [(0, len(records))]
    while parts:
        start, end = parts.pop(0)
        try:
            result.absorb(_store(sessions, lock, records[start:end], box=box, now=now, cache=cache))
        except UNAVAILABLE as error:
            # Gone meanwhile: what is stored is answered, the rest is sent again.
            why = _why(error)
            result.not_stored.update((i, why) for i in range(start, len(records)))
            break
        except Exception as error:
            if end - start == 1:
                result.not_stored[start] = _why(error)
            else:
                middle = (start + end) // 2
                parts[:0] = [(start, middle), (middle, end)]
    return result
