"""Logins by kind and refused logins by reason, per site and local day (`stats_login_counts`).

Counting must not add a write to every login: logins are answered within milliseconds under
load, and SQLite has one writer at a time. So each RADIUS worker counts the logins it answers
in memory (`LoginCounter`), per (site, local day in the site's zone, outcome), and appends its
counts in one short transaction every `stats_login_flush_seconds` and when it stops. Rows are
only ever appended, never updated, so workers never wait for each other on a row; the rollup
job merges each (site, day, outcome)'s rows into one (`merge_site_days`), so the table grows
with sites × days × outcomes, not with every flush. A figure is the sum of its rows.

What can be lost: the counts of the last interval (at most `stats_login_flush_seconds`) of a
worker killed without a chance to flush (SIGKILL, a power cut, the machine out of memory). A
flush that fails (the database down) keeps its counts for the next one. That is acceptable for
these figures: they are counters for evaluating the program, not records of anyone's use; what
a villager used is in accounting, which is never answered before it is stored.

Outcomes are `accepted:<LoginKind>` (how the login was made) and `refused:<RejectReason>`.
The captive portal refuses some logins itself, before the router asks RADIUS (a wrong voucher
code typed on our page, a resident's wrong password, an expired or disabled voucher): the web
service counts those the same way (`portal_outcome`), under the reason RADIUS would give, so a
village's wrong codes count wherever they were typed. An accepted portal login is counted once,
by RADIUS, when the router asks with the one-time password the portal handed over.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date, datetime
from typing import cast

from sqlalchemy import Table, delete, func, insert, select, tuple_
from sqlalchemy.orm import Session, sessionmaker

from wifidesa.access.captive import PortalProblem
from wifidesa.access.logins import LoginDecision
from wifidesa.access.rules import RejectReason
from wifidesa.db.bulk import one_of_ids
from wifidesa.db.engine import WriterLock, transaction
from wifidesa.db.models import LoginCount, Site
from wifidesa.localtime import local_day

log = logging.getLogger(__name__)

TABLE = cast(Table, LoginCount.__table__)
ACCEPTED, REFUSED = "accepted", "refused"
_UNKNOWN = "unknown"  # a decision that does not say why: never made by the core today

Key = tuple[int, date, str]  # site id, local day, outcome
# Rows appended per transaction: 3,000 rows (1,000 sites, 3 outcomes) held SQLite's writer lock
# for 40-50 ms in one; accounting waits for that lock, so a flush takes it in short turns.
FLUSH_CHUNK = 500


def outcome_of(decision: LoginDecision) -> str:
    """What a decision counts as: `accepted:<kind>` or `refused:<reason>`."""
    if decision.accepted:
        return f"{ACCEPTED}:{decision.kind or _UNKNOWN}"
    return f"{REFUSED}:{decision.reason or _UNKNOWN}"


# The portal's refusals that are a villager's login refused, as RADIUS names the reason. Not
# counted: a link or router we do not know (no village to count it for), free access without
# the terms ticked, and tries while blocked after too many wrong codes (those wrong codes are
# counted; the tries that follow are the same villager again, not more refusals).
_PORTAL_REASONS = {
    PortalProblem.WRONG_CODE: RejectReason.BAD_CREDENTIALS,
    PortalProblem.WRONG_PASSWORD: RejectReason.BAD_CREDENTIALS,
    PortalProblem.EXPIRED: RejectReason.EXPIRED,
    PortalProblem.OTHER_SITE: RejectReason.OTHER_SITE,
    PortalProblem.DISABLED: RejectReason.DISABLED,
    PortalProblem.WAY_CLOSED: RejectReason.WAY_CLOSED,
}


def portal_outcome(problem: PortalProblem) -> str | None:
    """What a login the portal refused counts as (`refused:<reason>`), None if not counted."""
    reason = _PORTAL_REASONS.get(problem)
    return f"{REFUSED}:{reason}" if reason is not None else None


class LoginCounter:
    """One process's login counts not yet stored. `add` is called for every login answered
    (on the event loop) and `flush` from a database thread: a lock guards the counts."""

    def __init__(self) -> None:
        self._counts: defaultdict[Key, int] = defaultdict(int)
        self._lock = threading.Lock()

    def add(self, *, site_id: int, zone: str, at: datetime, outcome: str) -> None:
        """Count one login answered at `at` for the site with this zone."""
        key = (site_id, local_day(at, zone), outcome)
        with self._lock:
            self._counts[key] += 1

    def pending(self) -> dict[Key, int]:
        """The counts not yet stored (a copy)."""
        with self._lock:
            return dict(self._counts)

    def flush(
        self,
        *,
        sessions: sessionmaker[Session],
        lock: WriterLock | None,
        chunk: int = FLUSH_CHUNK,
    ) -> int:
        """Append the counts in short transactions of `chunk` rows (each under the writer lock
        on SQLite, which accounting waits for; `lock` None: the sessions' engine takes it in
        every transaction itself, as the web service's writer engine does) and return how many
        logins they hold. If one fails, its counts and those not yet tried stay for the next
        flush and the error is raised; counts of a site deleted meanwhile are dropped."""
        with self._lock:
            taken, self._counts = self._counts, defaultdict(int)
        items = sorted(taken.items())
        stored = 0
        for start in range(0, len(items), chunk):
            part = dict(items[start : start + chunk])
            try:
                with (
                    lock.held() if lock is not None else nullcontext(),
                    transaction(sessions) as session,
                ):
                    stored += append_counts(session=session, counts=part)
            except BaseException:
                self._restore(items[start:])
                raise
        return stored

    def _restore(self, items: Iterable[tuple[Key, int]]) -> None:
        with self._lock:
            for key, count in items:
                self._counts[key] += count


def append_counts(*, session: Session, counts: dict[Key, int]) -> int:
    """Append one row per (site, day, outcome) in the caller's transaction; counts of sites
    that no longer exist are left out (their rows would fail the foreign key, and every later
    flush with them). Returns how many logins were stored."""
    site_ids = sorted({site_id for site_id, _, _ in counts})
    known = set(session.scalars(select(Site.id).where(Site.id.in_(site_ids))))
    kept = {key: count for key, count in counts.items() if key[0] in known and count}
    if len(known) < len(site_ids):
        log.info("login counts of %d deleted site(s) dropped", len(site_ids) - len(known))
    _insert(session, kept)
    return sum(kept.values())


def _insert(session: Session, counts: dict[Key, int]) -> None:
    rows = [
        {"site_id": site_id, "day": day, "outcome": outcome, "count": count}
        for (site_id, day, outcome), count in sorted(counts.items())
    ]
    if rows:
        session.execute(insert(TABLE), rows)


@dataclass(frozen=True)
class LoginTotal:
    site_id: int
    day: date  # local, in the site's zone
    outcome: str  # accepted:<LoginKind> or refused:<RejectReason>
    count: int


def login_counts(
    *, session: Session, site_ids: Iterable[int], first: date, last: date
) -> list[LoginTotal]:
    """The logins of these sites from local day `first` to `last` (both included), summed per
    site, day and outcome, ordered so."""
    query = (
        select(
            LoginCount.site_id,
            LoginCount.day,
            LoginCount.outcome,
            func.sum(LoginCount.count).label("total"),  # not `count`: a Row's own method
        )
        .where(
            one_of_ids(LoginCount.site_id, sorted(set(site_ids)), session=session),
            LoginCount.day.between(first, last),
        )
        .group_by(LoginCount.site_id, LoginCount.day, LoginCount.outcome)
        .order_by(LoginCount.site_id, LoginCount.day, LoginCount.outcome)
    )
    return [
        LoginTotal(site_id=row.site_id, day=row.day, outcome=row.outcome, count=int(row.total))
        for row in session.execute(query)
    ]


def logins_by_site(
    *, session: Session, site_ids: Iterable[int], first: date, last: date
) -> dict[tuple[int, str], int]:
    """The logins of these sites from local day `first` to `last` (both included), summed
    per site and outcome by the database: a province's year is ~1,000 sites x 365 days x a
    few outcomes of rows, a page needs a few thousand sums."""
    query = (
        select(LoginCount.site_id, LoginCount.outcome, func.sum(LoginCount.count).label("total"))
        .where(
            one_of_ids(LoginCount.site_id, sorted(set(site_ids)), session=session),
            LoginCount.day.between(first, last),
        )
        .group_by(LoginCount.site_id, LoginCount.outcome)
    )
    return {(row.site_id, row.outcome): int(row.total) for row in session.execute(query)}


def site_days_to_merge(*, session: Session, since: date) -> list[tuple[int, date]]:
    """The (site, day) pairs from local day `since` on with more than one row for an outcome.
    Workers append the days they counted in their last interval, today's or yesterday's
    (older only after a long database outage): older days are left as they are, their sums
    right but in several rows, rather than scanning every year's rows in every round."""
    query = (
        select(LoginCount.site_id, LoginCount.day)
        .where(LoginCount.day >= since)
        .group_by(LoginCount.site_id, LoginCount.day, LoginCount.outcome)
        .having(func.count() > 1)
    )
    return sorted({(row.site_id, row.day) for row in session.execute(query)})


def merge_site_days(*, session: Session, site_days: Sequence[tuple[int, date]]) -> int:
    """Replace the rows of these site-days by one per outcome holding their sum, in the
    caller's transaction; returns how many rows fewer there are.

    The sums are of exactly the rows deleted (DELETE ... RETURNING): a row that a worker
    appends meanwhile is not deleted, so it is neither lost nor counted twice, and on
    PostgreSQL two merges at once each sum only the rows they deleted themselves."""
    if not site_days:
        return 0
    deleted = session.execute(
        delete(LoginCount)
        .where(tuple_(LoginCount.site_id, LoginCount.day).in_(list(site_days)))
        .returning(
            LoginCount.site_id, LoginCount.day, LoginCount.outcome, LoginCount.count.label("n")
        )
    ).all()
    sums: defaultdict[Key, int] = defaultdict(int)
    for row in deleted:
        sums[(row.site_id, row.day, row.outcome)] += row.n
    _insert(session, sums)
    return len(deleted) - len(sums)
