"""Which site-days to recompute: accounting marks the days its changed sessions touch, in the
transaction that changes them; the rollup job recomputes marked days and deletes exactly the
marks it read. A mark committed while the job runs is not among those, so its day is recomputed
in the next round: no change is left out of the statistics, whatever the timing."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from sqlalchemy import Table, delete, select
from sqlalchemy.orm import Session

from wifidesa.db.bulk import Writes
from wifidesa.db.models import DirtyDay
from wifidesa.stats.rollup import Fetch, compute_site_days, fetch_in, replace_site_days

TABLE = cast(Table, DirtyDay.__table__)
# Marks read per round: a busy site-day has hundreds of marks a minute (one per accounting
# batch), so a round recomputes it once for all of them.
ROUND = 20_000


def dirty_rows(site_days: Iterable[tuple[int, date]]) -> list[dict[str, object]]:
    """Rows of marks for these (site id, local day) pairs, in a stable order."""
    return [{"site_id": site_id, "day": day} for site_id, day in sorted(set(site_days))]


def mark_days(*, session: Session, site_days: Iterable[tuple[int, date]]) -> None:
    """Mark site-days for recomputing, in the caller's transaction."""
    Writes(session).insert(TABLE, dirty_rows(site_days)).flush()


@dataclass
class Round:
    """Figures computed from the marks read, waiting to be written."""

    mark_ids: list[int]
    site_days: set[tuple[int, date]]
    rows: list[dict[str, Any]]


def read_round(*, fetch: Fetch, limit: int = ROUND) -> Round | None:
    """The oldest `limit` marks and their site-days' figures, reading only (None: no marks).
    The marks are read before the sessions: a change committed in between is in the figures
    and keeps its mark, so it is recomputed once more, never left out."""
    marks = fetch(
        select(DirtyDay.id, DirtyDay.site_id, DirtyDay.day).order_by(DirtyDay.id).limit(limit)
    )
    if not marks:
        return None
    site_days = {(mark.site_id, mark.day) for mark in marks}
    rows = compute_site_days(fetch=fetch, site_days=site_days)
    return Round(mark_ids=[mark.id for mark in marks], site_days=site_days, rows=rows)


def write_round(*, session: Session, round_: Round) -> None:
    """Store a round's figures and delete exactly the marks it read, in the caller's
    transaction (a mark added since stays, for the next round)."""
    replace_site_days(session=session, site_days=round_.site_days, rows=round_.rows)
    session.execute(delete(DirtyDay).where(DirtyDay.id.in_(round_.mark_ids)))


def roll_up_dirty(*, session: Session, limit: int = ROUND) -> int:
    """One round in one transaction (the caller's); returns how many site-days were
    recomputed (0: nothing marked)."""
    round_ = read_round(fetch=fetch_in(session), limit=limit)
    if round_ is None:
        return 0
    write_round(session=session, round_=round_)
    return len(round_.site_days)
