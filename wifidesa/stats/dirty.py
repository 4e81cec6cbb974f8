"""Which site-days to recompute: accounting marks the days its changed sessions touch, in the
transaction that changes them; the rollup job recomputes marked days and deletes exactly the
marks it read. A mark committed while the job runs is not among those, so its day is recomputed
in the next round: no change is left out of the statistics, whatever the timing."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import cast

from sqlalchemy import Table, delete, func, insert, or_, select
from sqlalchemy.orm import Session

from wifidesa.db.bulk import Writes
from wifidesa.db.models import DirtyDay, SiteDay
from wifidesa.stats.rollup import Fetch, Figures, compute_figures, fetch_in, store_figures

TABLE = cast(Table, DirtyDay.__table__)
# Marks read per query: a busy site-day has hundreds of marks a minute (one per accounting
# batch), all recomputed once in a round.
PAGE = 20_000
# Id ranges per DELETE statement (bound parameters stay well under SQLite's limit).
RANGES_PER_DELETE = 400


def dirty_rows(site_days: Iterable[tuple[int, date]]) -> list[dict[str, object]]:
    """Rows of marks for these (site id, local day) pairs, in a stable order."""
    return [{"site_id": site_id, "day": day} for site_id, day in sorted(set(site_days))]


def mark_days(*, session: Session, site_days: Iterable[tuple[int, date]]) -> None:
    """Mark site-days for recomputing, in the caller's transaction."""
    Writes(session).insert(TABLE, dirty_rows(site_days)).flush()


def mark_every_day(*, session: Session) -> None:
    """Mark every site-day that has figures, in the caller's transaction: the next round
    recomputes them all (after an upgrade adds a figure)."""
    session.execute(
        insert(DirtyDay).from_select(["site_id", "day"], select(SiteDay.site_id, SiteDay.day))
    )


@dataclass
class Round:
    """Figures computed from the marks read, waiting to be written."""

    mark_ranges: list[tuple[int, int]]  # the ids read, as runs of consecutive ids
    figures: Figures

    @property
    def site_days(self) -> set[tuple[int, date]]:
        return self.figures.site_days


def _runs(ids: list[int]) -> list[tuple[int, int]]:
    """Sorted ids as (first, last) runs of consecutive ids."""
    runs: list[tuple[int, int]] = []
    for mark_id in ids:
        if runs and runs[-1][1] == mark_id - 1:
            runs[-1] = (runs[-1][0], mark_id)
        else:
            runs.append((mark_id, mark_id))
    return runs


def read_round(*, fetch: Fetch, page: int = PAGE) -> Round | None:
    """Every mark present when the round starts (newer ones wait for the next round, so a
    round ends however fast accounting marks) and their site-days' figures, reading only
    (None: no marks). Each site-day is computed once, however many marks it has.

    The marks are read before the sessions: a change committed in between is in the figures
    and keeps its mark, so it is recomputed once more, never left out. Only the ids read are
    deleted: on PostgreSQL a mark can commit after a newer one (ids come from a sequence before
    commit), and such a mark, unseen here, stays for the next round."""
    top = fetch(select(func.max(DirtyDay.id)))[0][0]
    if top is None:
        return None
    ids: list[int] = []
    site_days: set[tuple[int, date]] = set()
    after = 0
    while True:
        marks = fetch(
            select(DirtyDay.id, DirtyDay.site_id, DirtyDay.day)
            .where(DirtyDay.id > after, DirtyDay.id <= top)
            .order_by(DirtyDay.id)
            .limit(page)
        )
        ids += [mark.id for mark in marks]
        site_days |= {(mark.site_id, mark.day) for mark in marks}
        if len(marks) < page:
            break
        after = marks[-1].id
    figures = compute_figures(fetch=fetch, site_days=site_days)
    return Round(mark_ranges=_runs(ids), figures=figures)


def write_round(*, session: Session, round_: Round) -> None:
    """Store a round's figures and delete exactly the marks it read, in the caller's
    transaction (a mark added since stays, for the next round)."""
    store_figures(session=session, figures=round_.figures)
    ranges = round_.mark_ranges
    for start in range(0, len(ranges), RANGES_PER_DELETE):
        chunk = ranges[start : start + RANGES_PER_DELETE]
        session.execute(
            delete(DirtyDay).where(
                or_(*(DirtyDay.id.between(first, last) for first, last in chunk))
            )
        )


def roll_up_dirty(*, session: Session, page: int = PAGE) -> int:
    """One round in one transaction (the caller's); returns how many site-days were
    recomputed (0: nothing marked)."""
    round_ = read_round(fetch=fetch_in(session), page=page)
    if round_ is None:
        return 0
    write_round(session=session, round_=round_)
    return len(round_.site_days)
