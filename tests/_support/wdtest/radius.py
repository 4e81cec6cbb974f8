"""A real RADIUS worker on 127.0.0.1 (ephemeral ports) in a background thread, and a client."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from pyrad import packet
from pyrad.client import Client

from radius.dictionary import load_dictionary
from radius.service import open_socket
from radius.worker import RadiusWorker
from wifidesa.settings import Settings

T = TypeVar("T")


@dataclass
class FakeClock:
    """A clock the test moves by hand; dates fabricated near boundaries on purpose."""

    now: datetime = field(default_factory=lambda: datetime(2026, 3, 31, 15, 50, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@dataclass
class RunningRadius:
    auth_port: int
    acct_port: int
    worker: RadiusWorker
    loop: asyncio.AbstractEventLoop

    def call(self, fn: Callable[[], Awaitable[T]]) -> T:
        async def run() -> T:
            return await fn()

        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(timeout=30)

    def refresh(self) -> None:
        """Reload routers now (normally every 15 s)."""
        self.call(self.worker.housekeep_now)


@contextmanager
def running_radius(
    settings: Settings, clock: Callable[[], datetime] | None = None, reaper: bool = True
) -> Iterator[RunningRadius]:
    auth = open_socket("127.0.0.1", 0)
    acct = open_socket("127.0.0.1", 0)
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    stop = asyncio.Event()
    holder: dict[str, Any] = {}

    async def main() -> None:
        kwargs: dict[str, Any] = {"clock": clock} if clock else {}
        worker = RadiusWorker(settings, auth_sock=auth, acct_sock=acct, reaper=reaper, **kwargs)
        await worker.start()
        worker.listen_udp()
        holder["worker"] = worker
        ready.set()
        await stop.wait()
        await worker.stop()

    def thread_main() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(main())
        except BaseException as exc:  # surface start-up failures to the test
            holder["error"] = exc
            ready.set()

    thread = threading.Thread(target=thread_main, name="radius-test", daemon=True)
    thread.start()
    ready.wait(timeout=30)
    if "error" in holder:
        raise holder["error"]
    try:
        yield RunningRadius(
            auth_port=auth.getsockname()[1],
            acct_port=acct.getsockname()[1],
            worker=holder["worker"],
            loop=loop,
        )
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=30)
        loop.close()
        auth.close()
        acct.close()


@contextmanager
def client(
    server: RunningRadius,
    secret: str,
    *,
    source: str = "127.0.0.1",
    timeout: float = 30.0,
    retries: int = 1,
) -> Iterator[Client]:
    """pyrad's blocking client, sending from `source` (a router's registered address).

    The timeout bounds a reply that is on its way, so it is generous (a busy machine is slow,
    never this slow); a test that expects no reply sets a short one."""
    c = Client(
        server="127.0.0.1",
        authport=server.auth_port,
        acctport=server.acct_port,
        secret=secret.encode(),
        dict=load_dictionary(),
        timeout=timeout,
        retries=retries,
    )
    c.bind((source, 0))
    try:
        yield c
    finally:
        c._CloseSocket()


def send_raw(
    port: int, data: bytes, *, source: str = "127.0.0.1", timeout: float = 30.0
) -> bytes | None:
    """Send bytes as they are; the reply, or None after `timeout`."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((source, 0))
        sock.settimeout(timeout)
        sock.sendto(data, ("127.0.0.1", port))
        try:
            return sock.recv(4096)
        except TimeoutError:
            return None


def auth_request(
    c: Client,
    username: str,
    password: str,
    *,
    mac: str = "AA:BB:CC:00:00:01",
    chap: bool = False,
    message_authenticator: bool = True,
) -> packet.AuthPacket:
    """An Access-Request as RouterOS sends it (PAP or CHAP, Message-Authenticator on)."""
    req = c.CreateAuthPacket(code=packet.AccessRequest, User_Name=username)
    if chap:
        import hashlib
        import os

        challenge, chap_id = os.urandom(16), b"\x07"
        req["CHAP-Challenge"] = challenge
        req["CHAP-Password"] = (
            chap_id
            + hashlib.md5(  # noqa: S324 - CHAP is MD5 by RFC
                chap_id + password.encode() + challenge
            ).digest()
        )
    else:
        req["User-Password"] = req.PwCrypt(password)
    req["Calling-Station-Id"] = mac
    req["Called-Station-Id"] = "hotspot1"
    req["NAS-Identifier"] = "test-router"
    if message_authenticator:
        req.add_message_authenticator()
    else:  # pyrad 2.6 signs Access-Requests by default; a pre-7.15 RouterOS does not
        req.message_authenticator = None
        if 80 in req:
            del req[80]
    return req


def send_same_bytes(
    port: int, data: bytes, times: int, *, source: str = "127.0.0.1", timeout: float = 30.0
) -> list[bytes | None]:
    """Send identical bytes from one socket, as a router retransmits; the replies in order."""
    replies: list[bytes | None] = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((source, 0))
        sock.settimeout(timeout)
        for _ in range(times):
            sock.sendto(data, ("127.0.0.1", port))
            try:
                replies.append(sock.recv(4096))
            except TimeoutError:
                replies.append(None)
    return replies
