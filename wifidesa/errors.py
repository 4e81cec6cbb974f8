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
