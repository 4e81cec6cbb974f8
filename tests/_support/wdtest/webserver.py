"""Real HTTP servers on 127.0.0.1 for browser tests: the ASGI app under uvicorn, and a fake router.

Both run in a background thread on a free port and are gone, sockets and threads, when their
`with` block ends: `filterwarnings = error` turns a leaked socket into a failing test.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

import uvicorn

HOST = "127.0.0.1"
ROUTER_PAGE = (
    '<!doctype html><html lang="id"><head><meta charset="utf-8"><title>router</title></head>'
    "<body><p>router</p></body></html>"
)


@contextmanager
def serve_app(app: Any, *, timeout: float = 60.0) -> Iterator[str]:
    """Serve an ASGI app with uvicorn on 127.0.0.1 (free port); yield its base URL.

    The app's lifespan runs (start-up before the URL is yielded, shutdown on exit), so a
    `create_app` engine is disposed as in production.
    """
    # Bind first and hand uvicorn the socket: no window in which another process takes the port.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit it: no 40 ms wait (Nagle vs. delayed ACK) between the
    # headers and the body of an answer, as uvicorn sets on sockets it binds itself.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((HOST, 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        lifespan="on",
        # uvicorn's default logging config would replace the test run's own handlers.
        log_config=None,
        access_log=False,
        # Plain asyncio and h11: the same everywhere, and no websockets library to warn.
        loop="asyncio",
        http="h11",
        ws="none",
        timeout_graceful_shutdown=5,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name=f"uvicorn-{port}", daemon=True
    )
    thread.start()
    try:
        _wait_until_started(server, thread, port, timeout)
        yield f"http://{HOST}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout)
        sock.close()  # uvicorn closes it on a clean shutdown; this covers a failed start-up
        if thread.is_alive():
            server.force_exit = True
            thread.join(timeout)
            raise RuntimeError(f"uvicorn on port {port} did not stop within {timeout} s")


def _wait_until_started(
    server: uvicorn.Server, thread: threading.Thread, port: int, timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive():
            # uvicorn ends its thread with SystemExit when the lifespan start-up fails.
            raise RuntimeError(f"uvicorn on port {port} failed to start (see the log)")
        if time.monotonic() > deadline:
            raise TimeoutError(f"uvicorn on port {port} did not start within {timeout} s")
        time.sleep(0.01)
    # `started` is set once the socket listens; one connection proves it answers.
    with socket.create_connection((HOST, port), timeout=timeout):
        pass


@dataclass(frozen=True)
class RecordedPost:
    """One form POST as the router received it."""

    path: str  # with its query string, as sent
    fields: dict[str, str]  # decoded; the last value wins for a repeated name
    headers: dict[str, str]  # names lower-cased


@dataclass
class FakeRouter:
    """A plain-HTTP stand-in for a MikroTik hotspot's login endpoint on 127.0.0.1."""

    url: str
    # The page it answers, or a function of the request's path and query (RouterOS fills its
    # login page's variables from them, e.g. $(link-orig) from ?dst=).
    page: str | Callable[[str], str] = ROUTER_PAGE
    _posts: list[RecordedPost] = field(default_factory=list)
    _returned: int = 0
    _arrived: threading.Condition = field(default_factory=threading.Condition)

    @property
    def posts(self) -> list[RecordedPost]:
        """Every POST so far, oldest first (a copy)."""
        with self._arrived:
            return list(self._posts)

    def wait_for_post(self, timeout: float = 30.0) -> RecordedPost:
        """The next POST that no earlier call returned, waiting for it up to `timeout` s."""
        with self._arrived:
            if not self._arrived.wait_for(lambda: len(self._posts) > self._returned, timeout):
                raise TimeoutError(f"no form was posted to {self.url} within {timeout} s")
            post = self._posts[self._returned]
            self._returned += 1
            return post

    def _record(self, post: RecordedPost) -> None:
        with self._arrived:
            self._posts.append(post)
            self._arrived.notify_all()


class _RouterHandler(BaseHTTPRequestHandler):
    server: _RouterServer
    # An idle connection (a browser's spare socket) must not hold up shutdown for long.
    timeout = 5

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", errors="replace")
        # RouterOS login forms are urlencoded; keep_blank_values keeps an empty password.
        fields = dict(parse_qsl(body, keep_blank_values=True))
        headers = {name.lower(): value for name, value in self.headers.items()}
        self.server.router._record(RecordedPost(path=self.path, fields=fields, headers=headers))
        self._answer()

    def _answer(self) -> None:
        page = self.server.router.page
        body = (page(self.path) if callable(page) else page).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # http.server logs every request to stderr


class _RouterServer(ThreadingHTTPServer):
    daemon_threads = False  # so server_close() joins the request threads
    router: FakeRouter


@contextmanager
def fake_router(*, page: str = ROUTER_PAGE) -> Iterator[FakeRouter]:
    """A fake router on 127.0.0.1 (free port) that records POSTed forms and answers `page`."""
    httpd = _RouterServer((HOST, 0), _RouterHandler)
    port = httpd.server_address[1]
    httpd.router = FakeRouter(url=f"http://{HOST}:{port}", page=page)
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, name=f"router-{port}"
    )
    thread.start()
    try:
        yield httpd.router
    finally:
        httpd.shutdown()
        thread.join()
        httpd.server_close()
