"""Signed values in forms: the hotspot client's details carried between portal pages, and the
CSRF token. HMAC-SHA256 with a key derived from the service secret; tampering is refused."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import asdict
from typing import Any

from wifidesa.access.captive import HotspotClient


class Signer:
    def __init__(self, secret_key: str, purpose: str) -> None:
        self._key = hmac.new(secret_key.encode(), purpose.encode(), hashlib.sha256).digest()

    def sign(self, data: dict[str, Any]) -> str:
        body = base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode())
        mac = hmac.new(self._key, body, hashlib.sha256).digest()[:16]
        return (body + b"." + base64.urlsafe_b64encode(mac)).decode()

    def unsign(self, token: str) -> dict[str, Any] | None:
        body, _, mac = token.encode().partition(b".")
        expected = base64.urlsafe_b64encode(hmac.new(self._key, body, hashlib.sha256).digest()[:16])
        if not hmac.compare_digest(mac, expected):
            return None
        try:
            value = json.loads(base64.urlsafe_b64decode(body))
        except ValueError:
            return None
        return value if isinstance(value, dict) else None


def pack_client(signer: Signer, client: HotspotClient) -> str:
    data = asdict(client)
    for key in ("chap_id", "chap_challenge"):
        data[key] = data[key].hex() if data[key] is not None else None
    return signer.sign(data)


def unpack_client(signer: Signer, token: str) -> HotspotClient | None:
    data = signer.unsign(token)
    if data is None:
        return None
    try:
        for key in ("chap_id", "chap_challenge"):
            data[key] = bytes.fromhex(data[key]) if data.get(key) else None
        return HotspotClient(**data)
    except (TypeError, ValueError):
        return None


def new_csrf_token() -> str:
    return secrets.token_urlsafe(24)
