"""One simulated RouterOS router on the API wire protocol (asyncio): login (plain and the
legacy MD5 challenge), tagged commands, `!re`/`!done`/`!trap`/`!fatal`, `/cancel`, `/quit`,
and the faults of `Faults`."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import random
import secrets
import ssl
from collections import deque
from dataclasses import dataclass, field

from controllers.double.commands import Command, Result, Trap, parse_command, run_command
from controllers.double.faults import Faults
from controllers.double.state import RouterState
from controllers.double.wire import WireError, encode_sentence, read_sentence

logger = logging.getLogger(__name__)

WORD_LIMIT = 1024 * 1024
LOGIN_FAILED = "invalid user name or password (6)"


@dataclass
class _Out:
    send_at: float
    data: bytes
    tag: bytes | None
    then: str | None = None  # "close" after sending, "abort" (reset) after sending
    cancelled: bool = False


def _sentence(kind: str, attributes: dict[str, bytes], tag: bytes | None) -> bytes:
    words = [kind.encode()]
    words += [b"=" + key.encode() + b"=" + value for key, value in attributes.items()]
    if tag is not None:
        # RouterOS repeats the command's tag on every sentence of its answer; routeros-api
        # sorts answers by it, and librouteros (which sends none) cannot read one.
        words.append(b".tag=" + tag)
    return encode_sentence(words)


def _encode_result(result: Result, tag: bytes | None) -> bytes:
    return b"".join(_sentence("!re", row, tag) for row in result.rows) + _sentence(
        "!done", result.done, tag
    )


def _trap(trap: Trap, tag: bytes | None) -> bytes:
    attributes = {} if trap.category is None else {"category": str(trap.category).encode()}
    attributes["message"] = trap.message.encode()
    return _sentence("!trap", attributes, tag) + _sentence("!done", {}, tag)


class _Connection:
    """One API session: its login state and the replies waiting for their send time."""

    def __init__(self, router: DoubleRouter, writer: asyncio.StreamWriter) -> None:
        self.router = router
        self.writer = writer
        self.logged_in = False
        self.challenge: bytes | None = None
        self.pending: deque[_Out] = deque()
        self.wake = asyncio.Event()
        self.loop = asyncio.get_running_loop()

    def send(self, data: bytes, tag: bytes | None, then: str | None = None) -> None:
        faults = self.router.faults
        if faults.drop_mid_reply and then is None and self.logged_in:
            data, then = data[: max(1, len(data) // 2)], "abort"
        self.pending.append(_Out(self.loop.time() + faults.delay, data, tag, then))
        self.wake.set()

    async def write_loop(self) -> None:
        while True:
            while not self.pending:
                self.wake.clear()
                await self.wake.wait()
            out = self.pending[0]
            wait = out.send_at - self.loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
                continue
            self.pending.popleft()
            if out.cancelled:
                continue
            self.writer.write(out.data)
            self.router.bytes_out += len(out.data)
            await self.writer.drain()
            if out.then == "abort":
                self.writer.transport.abort()
                return
            if out.then == "close":
                self.writer.close()
                return

    def handle(self, words: list[bytes]) -> None:
        command = parse_command(words)
        if self.router.rng.random() < self.router.faults.loss:
            return  # lost: the client hears nothing and must time out
        if command.menu == "/" and command.verb == "quit":
            self.send(encode_sentence([b"!fatal", b"session terminated on request"]), None, "close")
        elif command.menu == "/" and command.verb == "login":
            self._login(command)
        elif not self.logged_in:
            self.send(_trap(Trap("not logged in"), command.tag), command.tag)
        elif command.menu == "/" and command.verb == "cancel":
            self._cancel(command)
        else:
            self._run(command)

    def _run(self, command: Command) -> None:
        try:
            result = run_command(self.router.state, command)
        except Trap as trap:
            self.send(_trap(trap, command.tag), command.tag)
            return
        if result.reboot:
            self.send(_encode_result(result, command.tag), command.tag, "close")
            self.router.reboot(keep=self.writer)
            return
        self.send(_encode_result(result, command.tag), command.tag)

    def _login(self, command: Command) -> None:
        name = command.attributes.get("name")
        if name is None:
            # Before RouterOS 6.43 a bare /login got a challenge for the MD5 response.
            self.challenge = secrets.token_bytes(16)
            self.send(
                _encode_result(Result(done={"ret": self.challenge.hex().encode()}), command.tag),
                command.tag,
            )
            return
        router = self.router
        if "response" in command.attributes and self.challenge is not None:
            # The legacy login's response is MD5(0x00, password, challenge): the protocol's
            # choice, not ours.
            digest = hashlib.md5(
                b"\x00" + router.password.encode() + self.challenge, usedforsecurity=False
            ).hexdigest()
            good = hmac.compare_digest(command.attributes["response"], b"00" + digest.encode())
        else:
            good = hmac.compare_digest(
                command.attributes.get("password", b""), router.password.encode()
            )
        good = good and name == router.username.encode() and not router.faults.wrong_password
        self.challenge = None
        if not good:
            self.send(_trap(Trap(LOGIN_FAILED), command.tag), command.tag)
            return
        self.logged_in = True
        self.send(_encode_result(Result(), command.tag), command.tag)

    def _cancel(self, command: Command) -> None:
        target = command.attributes.get("tag")
        for out in self.pending:
            if not out.cancelled and out.tag is not None and target in (None, out.tag):
                out.cancelled = True
        if target is not None:
            interrupted = _trap(Trap("interrupted", category=2), target)
            self.send(interrupted, target)
        self.send(_encode_result(Result(), command.tag), command.tag)


@dataclass
class DoubleRouter:
    """A simulated router listening on `host:port` (and TLS on `tls_port` with `tls`)."""

    host: str
    port: int | None = 0  # 0: any free port, known after start(); None: no plain API
    tls_port: int | None = None
    tls: ssl.SSLContext | None = None
    username: str = "admin"
    password: str = ""
    state: RouterState = field(default_factory=RouterState)
    faults: Faults = field(default_factory=Faults)
    seed: int = 0
    rng: random.Random = field(init=False)
    _servers: list[asyncio.Server] = field(default_factory=list, init=False)
    _connections: set[asyncio.StreamWriter] = field(default_factory=set, init=False)
    _sessions: set[asyncio.Task[None]] = field(default_factory=set, init=False)
    # Traffic of the API sessions (words as encoded, no TCP/TLS overhead), for benches.
    commands: int = field(default=0, init=False)
    bytes_in: int = field(default=0, init=False)
    bytes_out: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        # Seeded: which commands a lossy router drops is the same on every run.
        self.rng = random.Random(self.seed)  # noqa: S311

    async def start(self) -> None:
        """Listen (again) on the API ports."""
        if self._servers:
            return
        if self.port is not None:
            server = await asyncio.start_server(self._serve, self.host, self.port)
            self.port = server.sockets[0].getsockname()[1]
            self._servers.append(server)
        if self.tls_port is not None and self.tls is not None:
            server = await asyncio.start_server(self._serve, self.host, self.tls_port, ssl=self.tls)
            self.tls_port = server.sockets[0].getsockname()[1]
            self._servers.append(server)

    async def stop(self) -> None:
        """Close the ports and every open session."""
        for server in self._servers:
            server.close()
        for writer in list(self._connections):
            writer.transport.abort()
        # Aborted sessions end by themselves (their reads fail); wait for them, so a stopped
        # router leaves no task behind.
        await asyncio.gather(*self._sessions, return_exceptions=True)
        for server in self._servers:
            await server.wait_closed()
        self._servers.clear()

    async def apply(self, **changes: object) -> None:
        """Change faults while running; `refuse` closes or reopens the ports."""
        for name, value in changes.items():
            if not hasattr(self.faults, name):
                raise AttributeError(name)
            setattr(self.faults, name, value)
        if "refuse" in changes:
            await (self.stop() if self.faults.refuse else self.start())

    def reboot(self, keep: asyncio.StreamWriter | None = None) -> None:
        """Restart: uptime and counters from zero, every session cut (but `keep`, the one
        that asked, which closes after its answer)."""
        self.state.reboot()
        for writer in list(self._connections):
            if writer is not keep:
                writer.transport.abort()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connection = _Connection(self, writer)
        self._connections.add(writer)
        session = asyncio.current_task()
        if session is not None:
            self._sessions.add(session)
        writing = asyncio.create_task(connection.write_loop())
        try:
            while True:
                words = await read_sentence(reader, limit=WORD_LIMIT)
                self.bytes_in += len(encode_sentence(words))
                if words:
                    self.commands += 1
                if words and not self.faults.silent:
                    connection.handle(words)
        except (asyncio.IncompleteReadError, ConnectionError, ssl.SSLError):
            pass
        except WireError as error:
            logger.info("double %s: closing a session that sent %s", self.host, error)
        finally:
            self._connections.discard(writer)
            if session is not None:
                self._sessions.discard(session)
            writing.cancel()
            writer.transport.abort()
