"""Several worker processes behind one pair of UDP ports.

Access-Requests reach a worker by a hash of (Identifier, Request Authenticator), so a
retransmission reaches the worker that holds its answer: on Linux the kernel applies it to one
socket per worker (radius.steering); elsewhere the parent reads the one socket and forwards.
Accounting on SQLite goes to worker 0, which reads the socket itself and answers no logins (its
writes wait for SQLite's one lock, logins must not); on PostgreSQL the parent routes it by
(source, Acct-Session-Id), so one session is only ever merged by one worker.
Workers answer on the UDP sockets, so replies come from the server's address and port as
routers expect.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import signal
import socket
import struct
import sys
from collections.abc import Iterator
from multiprocessing.process import BaseProcess

from radius.dictionary import Attr, Code
from wifidesa.errors import WifidesaError
from wifidesa.settings import Settings

log = logging.getLogger(__name__)

# A worker that cannot serve with these settings (a router secret that does not decrypt with
# WIFIDESA_SECRET_KEY) exits with this (sysexits' EX_CONFIG): starting another is pointless.
EXIT_CONFIG = 78

_KINDS = {Code.ACCESS_REQUEST: b"a", Code.ACCOUNTING_REQUEST: b"c"}
_CODES = {v: k for k, v in _KINDS.items()}
_BUFFER = 4 << 20


# A frame: total length (2 octets), kind, host length, host, port (2 octets), the datagram.
# Several frames go to a worker in one message: the parent reads a burst of datagrams, then
# wakes each worker once for its share instead of once per datagram (on two cores, every
# wake-up is a context switch the load generator and the other worker wait for).
_MESSAGE = 32 << 10  # bytes of frames per message to a worker


def frame(code: Code, data: bytes, addr: tuple[str, int]) -> bytes:
    host = addr[0].encode()
    body = _KINDS[code] + bytes([len(host)]) + host + struct.pack("!H", addr[1]) + data
    return struct.pack("!H", len(body)) + body


def unframe(message: bytes) -> tuple[Code, bytes, tuple[str, int]]:
    """The first frame of a message."""
    return next(unframe_all(message))


def unframe_all(message: bytes) -> Iterator[tuple[Code, bytes, tuple[str, int]]]:
    pos = 0
    while pos + 2 <= len(message):
        end = pos + 2 + ((message[pos] << 8) | message[pos + 1])
        size = message[pos + 3]
        host = message[pos + 4 : pos + 4 + size].decode()
        port = (message[pos + 4 + size] << 8) | message[pos + 5 + size]
        yield _CODES[message[pos + 2 : pos + 3]], message[pos + 6 + size : end], (host, port)
        pos = end


def acct_session_id(data: bytes) -> bytes:
    """Acct-Session-Id of a raw packet, without decoding the rest (b'' if absent)."""
    pos, end = 20, min(len(data), int.from_bytes(data[2:4], "big") or len(data))
    while pos + 2 <= end:
        attr, length = data[pos], data[pos + 1]
        if length < 2:
            break
        if attr == Attr.ACCT_SESSION_ID:
            return data[pos + 2 : pos + length]
        pos += length
    return b""


def accounting_apart(settings: Settings, workers: int) -> bool:
    """SQLite has one writer at a time: accounting from two workers only queues for its lock,
    so one worker takes it all and its batches grow instead (+30-50 % on the bench). With more
    than one worker it answers no logins, which would wait while its writes wait for the lock,
    and stores on its event loop (README: the soak's figures before and after)."""
    return workers > 1 and settings.resolved_database_url.startswith("sqlite")


def login_workers(settings: Settings, workers: int) -> range:
    """The workers that answer logins."""
    return range(1 if accounting_apart(settings, workers) else 0, workers)


def route(
    code: Code,
    data: bytes,
    addr: tuple[str, int],
    workers: int,
    *,
    one_accounting_worker: bool = False,
) -> int:
    """The worker for a request; with `one_accounting_worker`, worker 0 takes all accounting
    and no logins."""
    if code is Code.ACCOUNTING_REQUEST:
        if one_accounting_worker:
            return 0
        return hash((addr[0], acct_session_id(data))) % workers
    first = 1 if one_accounting_worker and workers > 1 else 0
    return first + hash((addr, data[1:20])) % (workers - first)


def _worker_main(
    settings: Settings,
    index: int,
    auth_sock: socket.socket,
    acct_sock: socket.socket,
    inbox: socket.socket,
    own: list[Code],
    answers_logins: bool,
) -> None:
    # imported in the child: engines are per process
    from radius.memory import settle_memory
    from radius.worker import RadiusWorker

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    logging.basicConfig(  # replacing what a parent set up: each line names its worker
        level=settings.log_level,
        format=f"%(asctime)s radius[{index}] %(levelname)s %(name)s: %(message)s",
        force=True,
    )
    asyncio.events._set_running_loop(None)  # forked from a process that may run a loop

    async def main() -> None:
        worker = RadiusWorker(
            settings,
            auth_sock=auth_sock,
            acct_sock=acct_sock,
            reaper=index == 0,
            answers_logins=answers_logins,
        )
        await worker.start()
        settle_memory()
        worker.listen_udp(own)  # the sockets this worker reads itself; the rest come by inbox
        loop = asyncio.get_running_loop()
        stopped = asyncio.Event()
        loop.add_signal_handler(signal.SIGTERM, stopped.set)
        inbox.setblocking(False)

        def drain() -> None:
            for _ in range(64):
                try:
                    message = inbox.recv(_MESSAGE + 8192)
                except (BlockingIOError, InterruptedError):
                    return
                if not message:
                    stopped.set()
                    return
                for code, data, addr in unframe_all(message):
                    worker.handle(code, data, addr)

        loop.add_reader(inbox.fileno(), drain)
        await stopped.wait()
        await worker.stop()

    try:
        asyncio.run(main())
    except WifidesaError as exc:
        log.error("cannot serve: %s", exc)
        sys.exit(EXIT_CONFIG)


class Dispatcher:
    """Starts and watches the workers, and routes what the kernel does not route for it.

    `auth_socks` is one socket, which this process reads and routes, or one per login worker
    (steered by the kernel, radius.steering, if there are several), which each reads itself.
    """

    def __init__(
        self,
        settings: Settings,
        auth_socks: list[socket.socket],
        acct_sock: socket.socket,
        workers: int,
    ) -> None:
        self.settings, self.auth_socks, self.acct_sock = settings, auth_socks, acct_sock
        self.count = workers
        self.inboxes: list[socket.socket] = []
        self.procs: list[BaseProcess] = []
        self.dropped = 0
        # SQLite: worker 0 reads the accounting socket itself and answers no logins.
        self.one_accounting_worker = accounting_apart(settings, workers)
        self.logins = login_workers(settings, workers)
        self.steered = len(auth_socks) == len(self.logins)

    def _own(self, index: int) -> list[Code]:
        """The sockets worker `index` reads itself."""
        own = [Code.ACCESS_REQUEST] if self.steered and index in self.logins else []
        if self.one_accounting_worker and index == 0:
            own.append(Code.ACCOUNTING_REQUEST)
        return own

    def _auth_sock(self, index: int) -> socket.socket:
        """The socket worker `index` answers logins on (reads too, if steered)."""
        if self.steered and index in self.logins:
            return self.auth_socks[index - self.logins.start]
        return self.auth_socks[0]

    def _spawn(self, index: int) -> tuple[BaseProcess, socket.socket]:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
        for s in (ours, theirs):
            s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, _BUFFER)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, _BUFFER)
        proc = multiprocessing.get_context("fork").Process(
            target=_worker_main,
            name=f"radius-{index}",
            args=(
                self.settings,
                index,
                self._auth_sock(index),
                self.acct_sock,
                theirs,
                self._own(index),
                index in self.logins,
            ),
        )
        proc.start()
        theirs.close()
        ours.setblocking(False)
        return proc, ours

    def start_workers(self) -> None:
        for index in range(self.count):
            proc, inbox = self._spawn(index)
            self.procs.append(proc)
            self.inboxes.append(inbox)

    def _forward(self, sock: socket.socket, code: Code) -> None:
        pending: list[list[bytes]] = [[] for _ in self.inboxes]
        for _ in range(256):
            try:
                data, addr = sock.recvfrom(4096)
            except (BlockingIOError, InterruptedError):
                break
            if len(data) < 20:
                continue  # too short to be RADIUS; the worker would drop it anyway
            target = route(
                code, data, addr, self.count, one_accounting_worker=self.one_accounting_worker
            )
            pending[target].append(frame(code, data, addr))
        for target, frames in enumerate(pending):
            start = 0
            while start < len(frames):  # in order, in messages of at most about _MESSAGE
                end, size = start, 0
                while end < len(frames) and size < _MESSAGE:
                    size += len(frames[end])
                    end += 1
                try:
                    self.inboxes[target].send(b"".join(frames[start:end]))
                except (BlockingIOError, InterruptedError):
                    self.dropped += end - start  # worker backlog full: the router retransmits
                start = end

    def _listen(self, loop: asyncio.AbstractEventLoop, code: Code, sock: socket.socket) -> None:
        sock.setblocking(False)
        loop.add_reader(sock.fileno(), self._forward, sock, code)

    async def run(self) -> bool:
        """Route and watch until SIGTERM or SIGINT (True), or until a worker could not serve
        with these settings (False); a worker that died otherwise is started again."""
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        if not self.steered:
            self._listen(loop, Code.ACCESS_REQUEST, self.auth_socks[0])
        if not self.one_accounting_worker:
            self._listen(loop, Code.ACCOUNTING_REQUEST, self.acct_sock)
        try:
            while not stop.is_set():
                for index, proc in enumerate(self.procs):
                    if proc.exitcode == EXIT_CONFIG:
                        return False
                    if not proc.is_alive():
                        log.error("worker %d exited (%s); starting a new one", index, proc.exitcode)
                        self.inboxes[index].close()
                        self.procs[index], self.inboxes[index] = self._spawn(index)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=1.0)
        finally:
            self.shutdown()
        return True

    def shutdown(self) -> None:
        for proc in self.procs:
            if proc.is_alive() and proc.pid:
                os.kill(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            proc.join(timeout=10)
            if proc.is_alive():
                proc.kill()
                proc.join()
        for inbox in self.inboxes:
            inbox.close()
