"""Why a talk with a router failed, from what routeros-api (or librouteros) raised.

routeros-api wraps a refused or timed-out connect in its own connection error with the
socket's error as its argument, wraps a read that timed out in the same class with only the
text (the socket's error is the context), raises the TLS handshake's errors bare, and a
`!trap` as a communication error whose text quotes the whole command sentence, passwords
included: never log `str(error)` unredacted. librouteros raises the socket's errors bare."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator

from routeros_api import exceptions as api_errors

from wifidesa import redact
from wifidesa.fleet.samples import Failure


class RouterError(Exception):
    """A router could not be asked: `failure` says why, `detail` is safe to log."""

    def __init__(self, failure: Failure, detail: str) -> None:
        super().__init__(f"{failure}: {detail}")
        self.failure = failure
        self.detail = detail


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def classify(error: BaseException, *, logging_in: bool) -> Failure:
    """The Failure for `error`, raised while connecting and logging in or while a command
    was on its way."""
    if isinstance(error, api_errors.RouterOsApiCommunicationError):
        # A `!trap`: at login the router refused our user; later, a command we rely on.
        return Failure.LOGIN if logging_in else Failure.PROTOCOL
    if isinstance(error, api_errors.RouterOsApiConnectionClosedError):
        return Failure.DROPPED
    connect_error = error.args[0] if error.args else None
    if isinstance(error, api_errors.RouterOsApiConnectionError) and isinstance(
        connect_error, OSError
    ):
        # The TCP connect itself failed.
        if isinstance(connect_error, ConnectionRefusedError):
            return Failure.REFUSED
        return Failure.UNREACHABLE  # timed out, no route, unknown name
    for cause in _chain(error):
        if isinstance(cause, ssl.SSLError):
            return Failure.TLS if logging_in else Failure.DROPPED
        if isinstance(cause, TimeoutError):
            return Failure.TIMEOUT
        if isinstance(cause, ConnectionRefusedError):
            return Failure.REFUSED
        if isinstance(cause, ConnectionError | EOFError):
            return Failure.DROPPED
        if isinstance(cause, socket.gaierror):
            return Failure.UNREACHABLE
        if isinstance(cause, OSError) and not isinstance(cause, api_errors.RouterOsApiError):
            return Failure.UNREACHABLE
    if isinstance(error, api_errors.RouterOsApiConnectionError):
        return Failure.DROPPED
    return Failure.PROTOCOL  # !fatal, malformed words, values we cannot read


def describe(error: BaseException, *, secrets: tuple[str, ...]) -> str:
    """A log-safe line about `error`: the router's own `!trap` message where there is one
    (never the library's text, which quotes our command), else the cause's type and text."""
    if isinstance(error, api_errors.RouterOsApiCommunicationError):
        message = error.original_message
        text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
    else:
        cause = next(
            (c for c in _chain(error) if not isinstance(c, api_errors.RouterOsApiError)), error
        )
        text = f"{type(cause).__name__}: {cause}"
    return redact.routeros_text(text, secrets=secrets)[:300]
