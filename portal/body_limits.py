"""Request bodies bounded before anything parses them, per route.

The portal answers anonymous clients on every hotspot: a form with a thousand 1 MB fields, or
a multipart upload spooled without a cap, must not reach a parser. The limit is checked on the
declared Content-Length and again on the bytes as they arrive (chunked bodies declare none);
the body is then handed to the app from memory (a few hundred kB at most).
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from wifidesa.i18n import gettext_for

KIB = 1024
# Longest prefix first; (path prefix, bytes).
LIMITS: Sequence[tuple[str, int]] = (
    ("/admin/members/import", 640 * KIB),  # the CSV upload (512 kB) with its form around it
    ("/api/members/import", 640 * KIB),
    ("/api/", 256 * KIB),
    ("/admin/", 64 * KIB),
    ("/portal/", 16 * KIB),  # the router's login page posts a dozen short hotspot variables
)
DEFAULT_LIMIT = 16 * KIB
FORM_FIELDS = 64  # more than any of our forms has; multipart parts past it are refused


def limit_for(path: str) -> int:
    """The largest body a request to this path may send."""
    for prefix, limit in LIMITS:
        if path.startswith(prefix):
            return limit
    return DEFAULT_LIMIT


class BodyLimit:
    """ASGI middleware: 413 for a body over its route's limit, before the app reads it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = limit_for(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _too_large(scope, send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body = message.get("body", b"")
            size += len(body)
            if size > limit:
                await _too_large(scope, send)
                return
            chunks.append(body)
            more = message.get("more_body", False)
        whole = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()  # after the body: the client's disconnect, if any
            replayed = True
            return {"type": "http.request", "body": whole, "more_body": False}

        await self.app(scope, replay, send)


async def _too_large(scope: Scope, send: Send) -> None:
    if scope["path"].startswith("/api/"):
        body, kind = b'{"detail":"request body too large"}', b"application/json"
    else:
        _ = gettext_for("id")
        text = _("The request is too large.")
        body = f'<!doctype html><html lang="id"><title>413</title><p>{text}</p>'.encode()
        kind = b"text/html; charset=utf-8"
    headers = [(b"content-type", kind), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})
