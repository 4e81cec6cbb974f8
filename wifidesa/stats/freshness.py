"""How fresh the figures are where statistics are read (WIFIDESA_STATS_DATABASE_URL).

A streaming replica replays the main database's changes a moment after they were made: under
a second while it keeps up, minutes or more while it is busy, cut off from the main database,
or its replay is paused. The pages then show figures as of the last change it replayed, and
say so, rather than waiting for it or falling back to the main database (which the replica
is there to spare).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

# One round trip; on a primary (not in recovery) the replay time is NULL anyway.
_REPLAYED = text(
    "SELECT pg_is_in_recovery() AS standby, pg_last_xact_replay_timestamp() AS replayed"
)


def replayed_until(*, session: Session) -> datetime | None:
    """On a PostgreSQL standby, when the last change it replayed was committed on the main
    database (UTC): its figures are as of then. None where figures are live: the main
    database itself, SQLite, and a standby that has replayed nothing since it started."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    row = session.execute(_REPLAYED).one()
    if not row.standby or row.replayed is None:
        return None
    replayed: datetime = row.replayed
    return replayed.astimezone(UTC)
