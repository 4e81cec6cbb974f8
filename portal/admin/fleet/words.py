"""How the fleet pages name states, causes, classes of time, poll failures and router tasks
(English msgids; the pages translate them) and write percentages."""

from __future__ import annotations

from babel.numbers import format_decimal

from wifidesa.db.models import OutageCause, RouterState, TaskKind, TaskState
from wifidesa.fleet.availability import TimeClass
from wifidesa.fleet.samples import Failure
from wifidesa.i18n import Gettext

STATES = {
    RouterState.UP: "up",
    RouterState.DOWN: "down",
    RouterState.UNKNOWN: "no data",
}
NOT_CONFIGURED = "not configured"
CAUSES = {
    OutageCause.BACKHAUL: "backhaul",
    OutageCause.RESTART: "power cut",
    OutageCause.CENTRAL: "central",
}
CLASSES = {
    TimeClass.UP: "up",
    TimeClass.SHORT_OUTAGE: "short outage (5 min or less)",
    TimeClass.OUTAGE: "outage (backhaul)",
    TimeClass.POWER: "power cut",
    TimeClass.CENTRAL: "central",
    TimeClass.NO_DATA: "no data",
}
FAILURES = {
    Failure.TIMEOUT: "no answer in time",
    Failure.REFUSED: "API port refused",
    Failure.UNREACHABLE: "unreachable",
    Failure.LOGIN: "API user refused",
    Failure.TLS: "TLS handshake failed",
    Failure.DROPPED: "connection dropped",
    Failure.PROTOCOL: "unreadable answer",
    Failure.NO_ADDRESS: "no API address",
}


def class_labels(_: Gettext) -> dict[TimeClass, str]:
    return {kind: _(word) for kind, word in CLASSES.items()}


def failure_word(value: str | None) -> str:
    """The msgid of a stored failure value ("" for none or one this version does not know)."""
    if value is None or value not in {failure.value for failure in Failure}:
        return ""
    return FAILURES[Failure(value)]


def percent(value: float | None, language: str, _: Gettext) -> str:
    """99,5 % (id), 99.5 % (en); "no data" when nothing was known."""
    if value is None:
        return _("no data")
    return format_decimal(value, format="#,##0.0", locale=language) + " %"


# Router tasks (the outbox): their kinds, states and who asked, as the task pages name them.
TASK_KINDS = {
    TaskKind.DISCONNECT: "Disconnect (RADIUS)",
    TaskKind.THROTTLE: "throttle",
    TaskKind.RESTORE: "restore",
    TaskKind.KICK: "kick over the API",
    TaskKind.PUSH_HOTSPOT_FILES: "hotspot pages",
    TaskKind.READ_ACTIVE: "read of active users",
}
TASK_STATES = {
    TaskState.QUEUED: "queued",
    TaskState.RUNNING: "running",
    TaskState.DONE: "done",
    TaskState.FAILED: "failed",
    TaskState.GIVEN_UP: "given up",
}
# asked_by values that are no admin's name (wifidesa.fleet.task_requests, usage.enforcement).
ASKERS = {"quota": "quota", "schedule": "schedule", "cli": "command line"}


def asker_word(asked_by: str, admin_id: int | None) -> str | None:
    """The msgid for a task asked by no admin ("quota", ...); None: an admin's name."""
    return ASKERS.get(asked_by) if admin_id is None else None
