"""Local receivers for alert tests: an HTTP server (webhooks, a Telegram Bot API stand-in) and
an SMTP server (aiosmtpd), each on 127.0.0.1 in a thread of its own, recording what came."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class HttpReceiver:
    """Answers each POST with the next of `statuses` (then 200), `answer` as its JSON body."""

    port: int = 0
    statuses: list[int] = field(default_factory=list)
    answer: dict[str, Any] = field(default_factory=lambda: {"ok": True})
    headers: dict[str, str] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def _handler(receiver: HttpReceiver, lock: threading.Lock) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with lock:
                receiver.requests.append(Request(self.path, dict(self.headers), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
            data = json.dumps(receiver.answer).encode()
            self.send_response(status)
            for name, value in receiver.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet: the test reads `requests`

    return Handler


@contextmanager
def http_receiver(receiver: HttpReceiver | None = None) -> Iterator[HttpReceiver]:
    """Serve `receiver` (a new one by default) on 127.0.0.1 until the block ends."""
    receiver = receiver or HttpReceiver()
    server = ThreadingHTTPServer(("127.0.0.1", receiver.port), _handler(receiver, threading.Lock()))
    server.daemon_threads = True
    receiver.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@dataclass
class Mail:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    login: str | None = None


class _Collect:
    def __init__(self) -> None:
        self.mails: list[Mail] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        message = message_from_bytes(content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        login = session.auth_data if isinstance(session.auth_data, str) else None
        self.mails.append(Mail(str(envelope.mail_from), list(envelope.rcpt_tos), message, login))
        return "250 OK"


@contextmanager
def smtp_receiver(port: int, *, login: tuple[str, str] | None = None) -> Iterator[list[Mail]]:
    """An SMTP server on 127.0.0.1:`port`; the mails it accepted. With `login`, it offers
    AUTH (over plain text, as a local test may) and accepts only that user and password; each
    mail then records the user who logged in (`Mail.login`)."""
    collect = _Collect()
    kwargs: dict[str, Any] = {}
    if login is not None:

        def authenticate(
            server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
        ) -> AuthResult:
            given = (
                (data.login.decode(), data.password.decode())
                if isinstance(data, LoginPassword)
                else None
            )
            ok = given == login
            # handled=False: aiosmtpd answers a failure itself (535)
            return AuthResult(success=ok, handled=ok, auth_data=given[0] if ok and given else None)

        # Not auth_required: aiosmtpd warns (as an error here) when AUTH is required without
        # TLS. The mails record who logged in, so a test still sees the login happened.
        kwargs = {"authenticator": authenticate, "auth_require_tls": False}
    controller = Controller(collect, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    try:
        yield collect.mails
    finally:
        controller.stop()
