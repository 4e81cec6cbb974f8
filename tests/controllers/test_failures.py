"""Failures the double cannot produce on loopback, classified from the library's errors."""

from __future__ import annotations

import socket

import pytest
from routeros_api import exceptions as api_errors

from controllers.failures import classify, describe
from wifidesa.fleet.samples import Failure


def _wrapped_read_error(cause: OSError) -> api_errors.RouterOsApiConnectionError:
    # As routeros-api wraps a failed read: the text only, the socket's error as context.
    try:
        raise cause
    except OSError as error:
        try:
            raise api_errors.RouterOsApiConnectionError(str(error))
        except api_errors.RouterOsApiConnectionError as wrapped:
            return wrapped


@pytest.mark.parametrize(
    ("error", "failure"),
    [
        (api_errors.RouterOsApiConnectionError(TimeoutError("timed out")), Failure.UNREACHABLE),
        (
            api_errors.RouterOsApiConnectionError(OSError(113, "No route to host")),
            Failure.UNREACHABLE,
        ),
        (api_errors.RouterOsApiConnectionError(ConnectionRefusedError()), Failure.REFUSED),
        (_wrapped_read_error(TimeoutError("timed out")), Failure.TIMEOUT),
        (_wrapped_read_error(ConnectionResetError()), Failure.DROPPED),
        (api_errors.FatalRouterOsApiError("Malformed length"), Failure.PROTOCOL),
        (socket.gaierror(-2, "Name or service not known"), Failure.UNREACHABLE),
        # librouteros raises the socket's errors bare
        (TimeoutError(), Failure.TIMEOUT),
        (ConnectionRefusedError(), Failure.REFUSED),
    ],
)
def test_errors_map_by_their_cause(error: BaseException, failure: Failure) -> None:
    assert classify(error, logging_in=False) is failure


def test_a_trap_at_login_is_a_login_failure_and_later_a_protocol_one() -> None:
    trap = api_errors.RouterOsApiCommunicationError(
        "Error ...", b"invalid user name or password (6)"
    )
    assert classify(trap, logging_in=True) is Failure.LOGIN
    assert classify(trap, logging_in=False) is Failure.PROTOCOL


def test_the_description_never_quotes_the_command_sentence() -> None:
    message = (
        'Error "invalid user name or password (6)" executing command '
        "b'/login =name=admin =password=Rahasia 1 =x .tag=1'"
    )
    trap = api_errors.RouterOsApiCommunicationError(message, b"invalid user name or password (6)")
    assert describe(trap, secrets=("Rahasia 1 =x",)) == "invalid user name or password (6)"
