"""What an allowed call must have done: each route in the list declares one check, built here.

A check gets the `Call` (who called, the answer, the world, the database) and fails with an
AssertionError when the effect is missing: a read shows the thing it is about (the village's
name, the card's code, the resident's username), a change left its row or its audit entry.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from wdtest.admin_world import VILLAGES_OF, World
from wifidesa.db.models import AuditEntry


class Answer(Protocol):
    """The parts of the test client's response that checks read."""

    status_code: int
    headers: Mapping[str, str]
    text: str
    content: bytes


@dataclass(frozen=True)
class Call:
    """One allowed call that has been made, for its route's check to judge."""

    where: str  # "GET /admin/x as desa_a: 200", for messages
    actor: str
    answer: Answer
    world: World
    sessions: sessionmaker[Session]
    audit_before: int  # the newest audit entry's id before the call

    def fill(self, template: str) -> str:
        return template.format(**self.world.ids)

    def id(self, name: str) -> Any:
        return self.world.ids[name]

    @contextmanager
    def db(self) -> Iterator[Session]:
        with self.sessions() as session:
            yield session

    def audited(self) -> list[str]:
        """The actions of the audit entries this call wrote (signing in aside)."""
        with self.db() as session:
            query = select(AuditEntry.action).where(
                AuditEntry.id > self.audit_before,
                AuditEntry.admin_id == self.id(f"admin_{self.actor}"),
                AuditEntry.action != "admins.sign_in",
            )
            return list(session.scalars(query))


Check = Callable[[Call], None]


def newest_audit_id(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1)) or 0


def _status(call: Call, *codes: int) -> None:
    assert call.answer.status_code in codes, f"{call.where}: expected {codes}"


def shows(*templates: str, status: int = 200) -> Check:
    """The answer shows each template filled from the world (e.g. "{username_a}")."""

    def check(call: Call) -> None:
        _status(call, status)
        for template in templates:
            wanted = call.fill(template)
            assert wanted in call.answer.text, f"{call.where}: {wanted!r} not shown"

    return check


def shows_own(*names: str) -> Check:
    """The answer shows `name_<village>` for every village the actor reaches (lists)."""

    def check(call: Call) -> None:
        _status(call, 200)
        for village in VILLAGES_OF[call.actor]:
            for name in names:
                wanted = str(call.id(f"{name}_{village}"))
                assert wanted in call.answer.text, f"{call.where}: {wanted!r} not shown"

    return check


def form(*fields: str) -> Check:
    """A form page with these input fields."""
    return shows(*(f'name="{field}"' for field in fields))


def audited(action: str, *, status: tuple[int, ...] = (200, 201, 303)) -> Check:
    """The call succeeded and wrote an audit entry `action` in the actor's name."""

    def check(call: Call) -> None:
        _status(call, *status)
        actions = call.audited()
        assert action in actions, f"{call.where}: no {action} audit entry (got {actions})"

    return check


def holds(
    why: str, predicate: Callable[[Session, Call], bool], *, status: tuple[int, ...]
) -> Check:
    """The database shows the effect afterwards: for changes a later actor finds done already
    (the second one to add the same name is told it exists), `status` lists both answers."""

    def check(call: Call) -> None:
        _status(call, *status)
        with call.db() as session:
            assert predicate(session, call), f"{call.where}: not so: {why}"

    return check


def refused(status: int, says: str) -> Check:
    """An answer that refuses on the merits (after the scope check let the actor through)."""

    def check(call: Call) -> None:
        _status(call, status)
        assert says in call.answer.text, f"{call.where}: {says!r} not in the answer"

    return check


def download(content_type: str, *, starts: bytes = b"", member: str = "") -> Check:
    """A file: its type, its first bytes, and for a zip a member it must hold."""

    def check(call: Call) -> None:
        _status(call, 200)
        assert call.answer.headers["content-type"].startswith(content_type), call.where
        assert call.answer.content.startswith(starts), f"{call.where}: not a {content_type}"
        if member:
            names = zipfile.ZipFile(io.BytesIO(call.answer.content)).namelist()
            assert member in names, f"{call.where}: {member} not in {names}"

    return check


def all_of(*checks: Check) -> Check:
    def check(call: Call) -> None:
        for each in checks:
            each(call)

    return check
