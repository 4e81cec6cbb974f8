"""What the server stored for sessions a simulated router reported: each exactly once, with the
router's last counters, and the accounts' usage equal to the sum of their sessions."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from radius.simulator.fuzz_run import Expected
from wifidesa.access.logins import account_from_class
from wifidesa.db.models import AcctSession, SessionStatus, UsageDaily


def stored_problems(
    sessions: sessionmaker[Session], expected: Mapping[str, Expected], *, router_id: int
) -> list[str]:
    """Every difference between what the router reported and what is stored (empty if none).

    Usage is compared per account (the Class of the sessions): the daily rows of an account
    must add up to its sessions' counters, so a record counted twice shows."""
    problems: list[str] = []
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    with sessions() as session:
        for sid, want in expected.items():
            rows = session.scalars(
                select(AcctSession).where(
                    AcctSession.router_id == router_id, AcctSession.acct_session_id == sid
                )
            ).all()
            if len(rows) != 1:
                problems.append(f"session {sid}: {len(rows)} rows stored")
                continue
            (row,) = rows
            got = (row.input_octets, row.output_octets, row.session_time)
            if got != (want.input_octets, want.output_octets, want.session_time):
                problems.append(f"session {sid}: stored {got}, router sent {want}")
            if want.stopped and row.status is not SessionStatus.CLOSED:
                problems.append(f"session {sid}: {row.status} after its Stop was acknowledged")
            account = account_from_class(want.class_)
            if account is not None:
                for i, value in enumerate(
                    (want.input_octets, want.output_octets, want.session_time)
                ):
                    totals[account][i] += value
        for account, (up, down, seconds) in totals.items():
            usage = session.execute(
                select(
                    func.coalesce(func.sum(UsageDaily.input_octets), 0),
                    func.coalesce(func.sum(UsageDaily.output_octets), 0),
                    func.coalesce(func.sum(UsageDaily.session_seconds), 0),
                ).where(UsageDaily.account_id == account)
            ).one()
            if tuple(usage) != (up, down, seconds):
                problems.append(
                    f"account {account}: usage {tuple(usage)}, its sessions {(up, down, seconds)}"
                )
    return problems
