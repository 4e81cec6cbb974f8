"""Malformed HTTP requests, as raw bytes, for the portal's anonymous routes: garbled and huge
headers, wrong and broken content types, broken multipart, invalid UTF-8, duplicate fields and
headers, hostile path parameters and query strings. Seeded, so a failure replays.

Sent over a plain socket (`send_raw_http`), so the real server's HTTP parser (uvicorn, h11)
sees exactly these bytes: a client library would refuse to send most of them.
"""

from __future__ import annotations

import contextlib
import random
import re
import socket
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from wdtest.app_routes import app_routes

_PARAM = re.compile(r"\{([^}]+)\}")
_HOSTILE_SEGMENTS = (
    "%FF%FE",
    "%00",
    "a" * 3000,
    "..%2F..%2Fetc%2Fpasswd",
    "%F0%9F%92%A5",
    "%C3%28",
    "%25",
    "%E2%80%AE",
    "<script>",
)
_HOSTILE_QUERIES = (
    "dst=%FF",
    "s=%00",
    "a=1&a=2&a=3",
    "x=" * 400,
    "back=//evil.example/%0D%0ASet-Cookie:x=1",
    "back=javascript:alert(1)",
    "s=%C3%28&lang=zz",
    "%",
    "&&&==&",
)
_HOSTILE_HEADERS = (
    b"Cookie: \xff\xfe=\x80\x81",
    b"Cookie: wd_lang=zz; wd_lang=en\xff; session=" + b"A" * 4000,
    b"Accept-Language: \xff\xfe;q=abc, *;q=-1",
    b"Accept-Language: " + b"id-ID," * 1000,
    b"User-Agent: " + bytes(range(0x80, 0x100)),
    b"X-Forwarded-For: 999.1.1.1, \xff",
    b"Referer: http://\xff\xfe/",
    b"X-Huge: " + b"x" * 60_000,
    b"Host: 127.0.0.1\r\nHost: evil.example",
    b"Content-Type: text/html\r\nContent-Type: application/x-www-form-urlencoded",
    b"Transfer-Encoding: chunked, identity",
    b"Bad Header: spaces in its name",
    b"X-Folded: a\r\n folded",
    b"X-Nul: a\x00b",
)
_CONTENT_TYPES = (
    b"application/x-www-form-urlencoded",
    b"application/x-www-form-urlencoded; charset=latin-1",
    b"multipart/form-data",
    b"multipart/form-data; boundary=",
    b"multipart/form-data; boundary=" + b"b" * 200,
    b"application/json",
    b"text/plain",
    b"\xff\xfe/\x80",
    b"",
)


@dataclass(frozen=True)
class RawRequest:
    route: str  # "POST /portal/voucher"
    mutation: str
    data: bytes


@dataclass(frozen=True)
class RawResponse:
    status: int | None  # None: the connection closed without a status line
    headers: bytes
    body: bytes


def _fill(path: str, values: dict[str, str], r: random.Random) -> str:
    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in values and r.random() < 0.5:
            return quote(values[name], safe="")
        return r.choice(_HOSTILE_SEGMENTS)

    return _PARAM.sub(one, path)


def _form(fields: dict[str, str]) -> bytes:
    return "&".join(f"{quote(k)}={quote(v)}" for k, v in fields.items()).encode()


def _body(fields: dict[str, str], r: random.Random) -> tuple[str, bytes, bytes]:
    """(mutation, content type, body) for a POST."""
    kind = r.choice(
        (
            "invalid-utf8-escaped",
            "invalid-utf8-raw",
            "duplicate-fields",
            "huge-field",
            "many-fields",
            "nul",
            "broken-multipart",
            "multipart-no-boundary",
            "json",
            "garbage",
            "empty",
            "valid",
        )
    )
    form = _form(fields)
    urlencoded = b"application/x-www-form-urlencoded"
    if kind == "invalid-utf8-escaped":
        return kind, urlencoded, form + b"&username=%FF%FE%C3%28&code=%80"
    if kind == "invalid-utf8-raw":
        return kind, urlencoded, form.replace(b"=", b"=\xff\xfe", 3)
    if kind == "duplicate-fields":
        return kind, urlencoded, form + b"&" + form + b"&code=A&code=B&username=&username=x"
    if kind == "huge-field":
        return kind, urlencoded, form + b"&code=" + b"Z" * r.choice((5_000, 70_000, 300_000))
    if kind == "many-fields":
        return kind, urlencoded, b"&".join(b"f%d=1" % n for n in range(r.choice((200, 5000))))
    if kind == "nul":
        return kind, urlencoded, form + b"&code=%00AB%00&username=a%00b"
    if kind == "broken-multipart":
        boundary = b"wdfuzz"
        body = (
            b'--wdfuzz\r\nContent-Disposition: form-data; name="code"\r\n\r\nABC\r\n'
            b'--wdfuzz\r\nContent-Disposition: form-data; name="\xff"; filename="../x"\r\n'
            b"Content-Type: \x80\r\n\r\n" + r.randbytes(200)
        )  # no closing boundary
        return kind, b"multipart/form-data; boundary=" + boundary, body
    if kind == "multipart-no-boundary":
        return kind, b"multipart/form-data", form
    if kind == "json":
        return kind, b"application/json", b'{"code": "\xff", "username": [1, 2'
    if kind == "garbage":
        return kind, r.choice(_CONTENT_TYPES), r.randbytes(r.randrange(1, 2000))
    if kind == "empty":
        return kind, r.choice(_CONTENT_TYPES), b""
    return kind, urlencoded, form


def requests_for(
    routes: Sequence[tuple[str, str]],
    *,
    values: dict[str, str],
    fields: dict[str, str],
    per_route: int,
    seed: int,
) -> Iterator[RawRequest]:
    """`per_route` malformed requests for each (method, path template); `values` fill path
    parameters now and then (the rest are hostile), `fields` are a plausible form."""
    r = random.Random(seed)  # reproducible on purpose
    for method, template in routes:
        for _ in range(per_route):
            path = _fill(template, values, r)
            mutations = []
            if r.random() < 0.5:
                path += "?" + r.choice(_HOSTILE_QUERIES)
                mutations.append("query")
            headers = [b"Host: 127.0.0.1", b"Connection: close"]
            if r.random() < 0.6:
                headers.append(r.choice(_HOSTILE_HEADERS))
                mutations.append("header")
            body = b""
            if method == "POST":
                kind, content_type, body = _body(fields, r)
                mutations.append(kind)
                if r.random() < 0.2:
                    content_type = r.choice(_CONTENT_TYPES)
                    mutations.append("content-type")
                headers.append(b"Content-Type: " + content_type)
            if method == "POST" or r.random() < 0.1:
                length = len(body)
                if r.random() < 0.1:
                    length = max(0, length - r.randrange(1, 10))  # shorter than the body
                    mutations.append("short-length")
                headers.append(b"Content-Length: %d" % length)
            head = f"{method} {path} HTTP/1.1\r\n".encode() + b"\r\n".join(headers) + b"\r\n\r\n"
            yield RawRequest(f"{method} {template}", "+".join(mutations) or "path", head + body)


def send_raw_http(port: int, data: bytes, *, timeout: float = 60.0) -> RawResponse:
    """Send the bytes on a new connection; the answer read until the server closes it."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        # It may answer (and close) before reading everything: then read what it said.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(data)
        chunks = []
        with contextlib.suppress(ConnectionResetError):
            while chunk := sock.recv(65536):
                chunks.append(chunk)
    raw = b"".join(chunks)
    head, _, body = raw.partition(b"\r\n\r\n")
    match = re.match(rb"HTTP/1\.[01] (\d{3})", head)
    return RawResponse(int(match.group(1)) if match else None, head, body)


def anonymous_routes(app: Any) -> list[tuple[str, str]]:
    """(method, path) of every route anyone may call: all but /admin/ and /api/ ones, and the
    admin sign-in."""
    found = app_routes(app)
    return [
        (method, path)
        for method, path in found
        if not path.startswith(("/admin", "/api/")) or path == "/admin/login"
    ]
