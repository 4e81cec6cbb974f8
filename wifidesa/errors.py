"""Errors the domain raises for the edges (CLI, web, RADIUS) to translate.

Messages are for people: one line, no secret, no password, no stack trace.
"""


class WifidesaError(Exception):
    """A domain rule refused an operation; the message says why, in one line."""


class ConfigError(WifidesaError):
    """The settings are unusable (placeholder secret in production, bad URL, ...)."""


class NotFound(WifidesaError):
    """A named object (site, router, profile, ...) does not exist."""


class AlreadyExists(WifidesaError):
    """An object with the same unique name or code exists already."""


class InvalidInput(WifidesaError):
    """A value given by a person or a file does not have the right form."""


class RowsRejected(InvalidInput):
    """An all-or-nothing import with bad rows; `problems` holds one 'line N: reason' each."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(
            f"{source}: {len(problems)} problem(s), nothing imported: " + "; ".join(problems[:3])
        )
