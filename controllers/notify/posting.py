"""POST a JSON document and tell what came back, for the Telegram and webhook senders.

Redirects are not followed: a webhook that answers 3xx is a failure to look at, not a cue to
send the alert (and its URL's token) elsewhere. What a failure says is built here from the
status or the kind of error, then scrubbed of the given secrets (a bot token, a webhook's
path), so no token reaches a log line or the outbox's stored error.
"""

from __future__ import annotations

import json
import socket
import ssl
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from http.client import HTTPException
from typing import Any

from wifidesa.alerts.delivery import SendFailed

MAX_ANSWER = 64 * 1024  # bytes of an answer read (Telegram's are small)
USER_AGENT = "wifidesa-alerts"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # urllib then raises HTTPError with the 3xx status


_opener = urllib.request.build_opener(_NoRedirect)


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None


def scrub(text: str, secrets: Iterable[str]) -> str:
    """`text` with every non-empty secret replaced by '…'."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, "…")
    return text


def _why(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError | socket.timeout):
        return "timeout"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, ssl.SSLError):
        return f"TLS: {exc.reason or type(exc).__name__}"
    if isinstance(exc, socket.gaierror):
        return "host name not found"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return type(exc).__name__


def post_json(
    url: str, document: Mapping[str, object], *, timeout: float, secrets: Iterable[str]
) -> Answer:
    """POST `document` to `url`; the answer of any status (3xx, 4xx, 5xx included). No answer
    at all raises SendFailed with a reason free of `secrets`."""
    request = urllib.request.Request(  # noqa: S310 - http(s) only, checked when stored
        url,
        data=json.dumps(document, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT},
        method="POST",
    )
    try:
        with _opener.open(request, timeout=timeout) as response:
            return Answer(response.status, response.read(MAX_ANSWER))
    except urllib.error.HTTPError as exc:
        with exc:
            return Answer(exc.code, exc.read(MAX_ANSWER) if exc.fp is not None else b"")
    except urllib.error.URLError as exc:
        reason = exc.reason if isinstance(exc.reason, BaseException) else None
        why = _why(reason) if reason is not None else str(exc.reason)
        raise SendFailed(scrub(why, secrets)) from None
    except (OSError, HTTPException, ValueError) as exc:  # a reset mid-answer, a bad status line
        raise SendFailed(scrub(_why(exc), secrets)) from None
