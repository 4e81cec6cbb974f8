"""Figures read from the main database are live: no "data up to" time. (A replica's time is
tested against a real streaming replica: tests/portal/admin/stats/test_replica.py.)"""

from __future__ import annotations

from sqlalchemy.orm import Session

from wifidesa.stats.freshness import replayed_until


def test_the_main_database_is_live(session: Session) -> None:
    assert replayed_until(session=session) is None
