"""How the fleet pages name states, causes, classes of time and poll failures (English
msgids; the pages translate them) and write percentages."""

from __future__ import annotations

from babel.numbers import format_decimal

from wifidesa.db.models import OutageCause, RouterState
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
