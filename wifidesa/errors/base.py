"""Errors the domain raises for the edges (CLI, web, RADIUS) to translate.

An error carries a code and parameters (`NotFound(ErrorCode.PROFILE_NOT_FOUND, name="kukar")`);
each code has one English template, the gettext msgid (`wifidesa.errors.templates`). `str(exc)`
is the English message (the CLI prints it); `translate_error(exc, gettext)` gives it in a page's
language. Messages are for people: one line, no secret, no password, no voucher code, no trace.
"""

from __future__ import annotations

from collections.abc import Sequence

from wifidesa.errors.codes import ErrorCode
from wifidesa.errors.templates import TEMPLATES
from wifidesa.i18n import Gettext
from wifidesa.messages import Joined, Message

# Words some templates take as a parameter (translated like the templates).
FIRST = Message("first")
LAST = Message("last")


def error_message(code: ErrorCode, /, **params: object) -> Message:
    """The message of a code with its parameters (a nested reason, e.g. an import's line)."""
    return Message(TEMPLATES[code], params)


class WifidesaError(Exception):
    """A domain rule refused an operation: a code and its parameters."""

    def __init__(self, code: ErrorCode, /, **params: object) -> None:
        self.code = code
        self.message = error_message(code, **params)
        super().__init__(self.message.render())

    @property
    def params(self) -> dict[str, object]:
        return dict(self.message.params)

    def __str__(self) -> str:
        return self.message.render()


class ConfigError(WifidesaError):
    """The settings are unusable (placeholder secret in production, bad URL, ...)."""


class NotFound(WifidesaError):
    """A named object (site, router, profile, ...) does not exist."""


class AlreadyExists(WifidesaError):
    """An object with the same unique name or code exists already."""


class InvalidInput(WifidesaError):
    """A value given by a person or a file does not have the right form."""


def line_problem(line: int, reason: Message | WifidesaError) -> Message:
    """One bad line of an import: its number and why (a code's message, or an error's)."""
    if isinstance(reason, WifidesaError):
        reason = reason.message
    return error_message(ErrorCode.LINE_PROBLEM, line=line, reason=reason)


class RowsRejected(InvalidInput):
    """An all-or-nothing import with bad rows, one problem each: `rows` as messages (line and
    reason), `problems` the same in English ('line N: reason')."""

    def __init__(self, source: str, problems: Sequence[Message]) -> None:
        self.rows = list(problems)
        self.problems = [row.render() for row in self.rows]
        super().__init__(
            ErrorCode.ROWS_REJECTED,
            source=source,
            count=len(self.rows),
            first=Joined(tuple(self.rows[:3])),
        )


def translate_error(exc: WifidesaError, gettext: Gettext) -> str:
    """The error's message in the language of `gettext` (its template translated, then its
    parameters, recursively)."""
    return exc.message.render(gettext)
