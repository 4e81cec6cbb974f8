"""Security headers on every answer, error pages and redirects included.

The portal is reached by every hotspot client and the admin UI shares its host name unless a
separate one is configured, so every page says the same: no framing, no outside host, no script
but the hand-off page's one known line, forms post only to us or to a hotspot's login page.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from wifidesa.settings import Settings

HSTS_SECONDS = 180 * 24 * 3600


def handoff_script_hash(templates: Path) -> str:
    """The CSP source of the hand-off page's auto-submit script (its SHA-256), read from the
    template so the two cannot drift apart."""
    page = (templates / "portal" / "handoff.html").read_text(encoding="utf-8")
    found = re.search(r"<script>(.*?)</script>", page, re.S)
    assert found is not None, "the hand-off page has no script"
    digest = hashlib.sha256(found.group(1).encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def content_security_policy(script_hash: str) -> str:
    return "; ".join(
        (
            "default-src 'none'",
            "img-src 'self' data:",
            "style-src 'self' 'unsafe-inline'",
            f"script-src {script_hash}",
            # The hand-off form posts to the village router's own login page (any address).
            "form-action 'self' http: https:",
            "frame-ancestors 'none'",
            "base-uri 'none'",
        )
    )


Headers = list[tuple[bytes, bytes]]


def security_headers(*, templates: Path, https: bool) -> Headers:
    """The headers every answer carries (HSTS only when the service is reached over HTTPS)."""
    headers = {
        b"content-security-policy": content_security_policy(handoff_script_hash(templates)),
        b"x-content-type-options": "nosniff",
        b"x-frame-options": "DENY",
        b"referrer-policy": "same-origin",
    }
    if https:
        headers[b"strict-transport-security"] = f"max-age={HSTS_SECONDS}"
    return [(name, value.encode()) for name, value in headers.items()]


class SecurityHeaders:
    """ASGI middleware adding the headers to every HTTP answer (kept where a route set one)."""

    def __init__(self, app: ASGIApp, *, headers: Headers) -> None:
        self.app = app
        self.headers = headers

    @staticmethod
    def for_settings(settings: Settings, templates: Path) -> Headers:
        return security_headers(
            templates=templates, https=settings.public_url.startswith("https://")
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(n, v) for n, v in self.headers if n not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, with_headers)
