"""Run the RADIUS server: `wifidesa radius`, or as one of the services of `wifidesa serve`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import multiprocessing
import os
import signal
import socket

from radius.dispatcher import Dispatcher, login_workers
from radius.packets import REPLY_LANGUAGE
from radius.steering import steered_sockets
from wifidesa.crypto import SecretBox
from wifidesa.db import schema
from wifidesa.db.engine import make_engine, make_session_factory, transaction
from wifidesa.errors import ConfigError, ErrorCode, WifidesaError
from wifidesa.i18n import translations
from wifidesa.places.routers import nas_clients
from wifidesa.settings import Settings, check_for_startup

log = logging.getLogger(__name__)
_RECEIVE_BUFFER = 8 << 20  # absorb bursts: an evening login peak, routers reconnecting


def open_socket(host: str, port: int, *, reuse_port: bool = False) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, _RECEIVE_BUFFER)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, _RECEIVE_BUFFER)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ConfigError(
            ErrorCode.CANNOT_LISTEN, host=host, port=port, reason=exc.strerror
        ) from None
    return sock


def worker_count(settings: Settings) -> int:
    return settings.radius_workers or os.cpu_count() or 1


def _check_database(settings: Settings) -> None:
    """The schema is current and every router's secret decrypts with our keys: refused here,
    once, rather than by every worker as it starts (a worker that cannot start is restarted)."""
    engine = make_engine(settings.resolved_database_url)
    try:
        current = schema.current_revision(engine)
        if current is None:
            raise ConfigError(ErrorCode.NO_SCHEMA)
        if current != schema.head_revision():
            raise ConfigError(ErrorCode.SCHEMA_OUTDATED, revision=current)
        with transaction(make_session_factory(engine)) as session:
            nas_clients(session=session, box=SecretBox.from_settings(settings))
    finally:
        engine.dispose()  # before forking workers: no connection may cross a fork


async def _single(settings: Settings, auth: socket.socket, acct: socket.socket) -> None:
    from radius.memory import settle_memory
    from radius.worker import RadiusWorker

    worker = RadiusWorker(settings, auth_sock=auth, acct_sock=acct)
    await worker.start()
    settle_memory()
    worker.listen_udp()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await worker.stop()


def run(settings: Settings) -> None:
    """Serve until SIGTERM or SIGINT. Settings it cannot serve with raise a WifidesaError, which
    `wifidesa radius` prints as one line; as a service of `wifidesa serve` (a child process
    with no one to print it) it is logged as one line and the process exits with 1."""
    try:
        _run(settings)
    except WifidesaError as exc:
        if multiprocessing.parent_process() is None:
            raise
        log.error("cannot serve: %s", exc)
        raise SystemExit(1) from None


def _run(settings: Settings) -> None:
    check_for_startup(settings)
    if settings.clock_file is not None:  # development only: check_for_startup refuses it else
        log.warning("clock moved by the seconds in %s (WIFIDESA_CLOCK_FILE)", settings.clock_file)
    _check_database(settings)
    # Parse the catalogue of the Reply-Messages once, before forking: workers share it.
    translations(REPLY_LANGUAGE)
    workers = worker_count(settings)
    steered, logins = None, len(login_workers(settings, workers))
    if logins > 1:
        steered = steered_sockets(
            open_socket, settings.radius_host, settings.radius_auth_port, logins
        )
    auth = steered or [open_socket(settings.radius_host, settings.radius_auth_port)]
    acct = open_socket(settings.radius_host, settings.radius_acct_port)
    log.info(
        "RADIUS on %s, auth %d, accounting %d, %d worker(s)",
        settings.radius_host,
        settings.radius_auth_port,
        settings.radius_acct_port,
        workers,
    )
    if workers == 1:
        asyncio.run(_single(settings, auth[0], acct))
        return
    dispatcher = Dispatcher(settings, auth, acct, workers)
    dispatcher.start_workers()
    if not asyncio.run(dispatcher.run()):
        raise SystemExit(1)  # a worker could not start; it said why


def _cmd_radius(ctx: object, args: argparse.Namespace) -> int:
    settings: Settings = ctx.settings  # type: ignore[attr-defined]
    if args.workers is not None:
        settings = settings.model_copy(update={"radius_workers": args.workers})
    run(settings)
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser(
        "radius",
        help="run only the RADIUS server (auth and accounting)",
        description="Listen on WIFIDESA_RADIUS_HOST, _AUTH_PORT and _ACCT_PORT; answer the "
        "registered routers. Ctrl-C or SIGTERM stops it.",
    )
    p.add_argument("--workers", type=int, help="worker processes (default: one per CPU core)")
    p.set_defaults(func=_cmd_radius)
