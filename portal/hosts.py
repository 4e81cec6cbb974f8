"""The admin UI and JSON API apart from the public portal, when they have a host name of their
own (`WIFIDESA_ADMIN_HOST`).

Every hotspot client of the province reaches the portal's host; the admins' pages, their
session cookie (host-only) and the API then live on another origin, which a page of the
portal's origin cannot read or script. On the portal's host the admin paths answer 404, and on
the admin host the villagers' pages do.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

ADMIN_PREFIXES = ("/admin", "/api/", "/docs", "/openapi.json")
SHARED = ("/healthz", "/favicon.ico")


def is_admin_path(path: str) -> bool:
    return path == "/api" or path.startswith(ADMIN_PREFIXES)


class HostSplit:
    """ASGI middleware: admin paths only on the admin host, the rest only elsewhere."""

    def __init__(self, app: ASGIApp, *, admin_host: str) -> None:
        self.app = app
        self.admin_host = admin_host.lower()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(SHARED):
            await self.app(scope, receive, send)
            return
        host = dict(scope["headers"]).get(b"host", b"").decode("latin-1").lower()
        on_admin_host = host.split(":", 1)[0] == self.admin_host
        if on_admin_host and scope["path"] == "/":  # the admin host's front door
            headers = [(b"location", b"/admin/"), (b"content-length", b"0")]
            await send({"type": "http.response.start", "status": 303, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        if is_admin_path(scope["path"]) != on_admin_host:
            body = b"not found"
            headers = [(b"content-type", b"text/plain"), (b"content-length", b"9")]
            await send({"type": "http.response.start", "status": 404, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)
