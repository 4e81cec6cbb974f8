"""Throwaway PostgreSQL servers for the test suite.

A :class:`PostgresCluster` runs ``initdb`` into a fresh temporary directory, starts a
server listening only on 127.0.0.1 with durability switched off (tests never need it)
and removes everything again on :meth:`PostgresCluster.stop` or, as a safety net, at
interpreter exit.  Authentication is ``trust`` for the superuser ``wifidesa``: the
server is reachable only from this machine and lives for one test run.

When running as root (CI, containers) the server runs as the ``postgres`` system user,
because ``initdb`` refuses to run as root.

Typical use::

    with PostgresCluster() as pg:
        template_url = pg.create_database("wd_template")
        ...  # migrate the template once
        url = pg.create_database("wd_test_1", template="wd_template")

A database used as a template must have no open connections while it is cloned:
dispose of any SQLAlchemy engine bound to it first.
"""

from __future__ import annotations

import atexit
import contextlib
import errno
import glob
import logging
import os
import pwd
import re
import shlex
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Self

import psycopg
from psycopg import sql
from psycopg.abc import Query

from wdtest.ports import free_ports

__all__ = ["PostgresCluster", "find_bindir"]

logger = logging.getLogger(__name__)

SUPERUSER = "wifidesa"
HOST = "127.0.0.1"
ADMIN_DB = "postgres"

_FALLBACK_OS_USER = "wifidesa-pg"
_MISSING_MSG = (
    "PostgreSQL server binaries (initdb, pg_ctl) not found: run `make test` "
    "(which installs postgresql) or `scripts/system-deps.sh`"
)

# Test-speed settings: no durability, enough connections for parallel tests.
_SERVER_SETTINGS: dict[str, str] = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
    "shared_buffers": "128MB",
}

# The data directory goes to tmpfs when it has this much room (Docker's default 64MB
# /dev/shm does not); set WIFIDESA_PG_NO_SHM=1 to force the regular temp dir.
_SHM_DIR = "/dev/shm"
_SHM_MIN_FREE = 1 << 30

_START_ATTEMPTS = 5
_LOG_TAIL_LINES = 30


def _has_server_binaries(bindir: Path) -> bool:
    return all(os.access(bindir / name, os.X_OK) for name in ("initdb", "pg_ctl"))


def _version_key(path: str) -> tuple[int, ...]:
    # /usr/lib/postgresql/15/bin -> (15,); non-numeric versions sort first.
    version = Path(path).parent.name
    return tuple(int(part) for part in re.findall(r"\d+", version))


def find_bindir() -> Path:
    """Directory holding ``initdb`` and ``pg_ctl``.

    Tried in order: ``pg_config --bindir``, the highest ``/usr/lib/postgresql/*/bin``
    (Debian's layout), then ``PATH``.  Raises :class:`RuntimeError` if none has them.
    """
    pg_config = shutil.which("pg_config")
    if pg_config is not None:
        try:
            out = subprocess.run(
                [pg_config, "--bindir"],
                capture_output=True,
                text=True,
                check=True,
                timeout=30,
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            out = ""
        # Debian's libpq-dev ships a pg_config whose bindir has no server binaries.
        if out and _has_server_binaries(Path(out)):
            return Path(out)

    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True):
        if _has_server_binaries(Path(candidate)):
            return Path(candidate)

    initdb = shutil.which("initdb")
    if initdb is not None and _has_server_binaries(Path(initdb).parent):
        return Path(initdb).parent

    raise RuntimeError(_MISSING_MSG)


def _free_port() -> int:
    # Below the ephemeral range: no client connection takes it before the server binds it.
    [port] = free_ports(1, socket.SOCK_STREAM)
    return port


def _server_os_user() -> str:
    """The unprivileged account the server runs as when we are root."""
    for name in ("postgres", _FALLBACK_OS_USER):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    logger.info("creating system user %s to run PostgreSQL", _FALLBACK_OS_USER)
    result = subprocess.run(
        ["useradd", "--system", "--no-create-home", _FALLBACK_OS_USER],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        pwd.getpwnam(_FALLBACK_OS_USER)  # a parallel run may have created it meanwhile
    except KeyError:
        raise RuntimeError(
            f"could not create system user {_FALLBACK_OS_USER}: {result.stderr.strip()}"
        ) from None
    return _FALLBACK_OS_USER


def _world_traversable(path: Path) -> bool:
    """True if every directory from / down to ``path`` is searchable by others."""
    for part in (path, *path.parents):
        try:
            if not part.stat().st_mode & 0o001:
                return False
        except OSError:
            return False
    return True


def _tail(path: Path, lines: int = _LOG_TAIL_LINES) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        return f"(no server log: {exc})"
    return "\n".join(text.splitlines()[-lines:])


class PostgresCluster:
    """A private PostgreSQL server in a temporary directory.

    ``bindir`` overrides where ``initdb``/``pg_ctl`` are looked up (default:
    :func:`find_bindir`).  ``tmp_parent`` overrides where the temporary directory
    (data, socket, log) is created (default: ``/dev/shm`` if it has 1 GiB free, else
    :func:`tempfile.gettempdir`).  Start with :meth:`start` or use the object as a context
    manager; :meth:`stop` is idempotent and also runs at interpreter exit.
    """

    def __init__(
        self, bindir: Path | str | None = None, tmp_parent: Path | str | None = None
    ) -> None:
        self._bindir_arg = Path(bindir) if bindir is not None else None
        self._tmp_parent = Path(tmp_parent) if tmp_parent is not None else None
        self._bindir: Path | None = None
        self._base: Path | None = None
        self._port: int | None = None
        self._run_as: str | None = None  # OS user to run as via runuser, when root

    # -- lifecycle ---------------------------------------------------------------

    def start(self) -> None:
        """initdb a fresh data directory and start the server on a free port."""
        if self._port is not None:
            return
        started = time.monotonic()
        bindir = self._bindir_arg or find_bindir()
        if not _has_server_binaries(bindir):
            raise RuntimeError(_MISSING_MSG)
        self._bindir = bindir

        if os.geteuid() == 0:
            self._run_as = _server_os_user()
        self._base = Path(
            tempfile.mkdtemp(prefix="wifidesa-pg-", dir=self._parent_dir(as_root=self._run_as))
        )
        atexit.register(self.stop)
        try:
            self._sockdir.mkdir()
            if self._run_as is not None:
                entry = pwd.getpwnam(self._run_as)
                for path in (self._base, self._sockdir):
                    os.chown(path, entry.pw_uid, entry.pw_gid)
            self._make_datadir()
            self._start_server()
        except BaseException:
            self.stop()
            raise
        logger.info(
            "PostgreSQL started on %s:%s (data %s) in %.2fs",
            HOST,
            self._port,
            self._datadir,
            time.monotonic() - started,
        )

    def stop(self) -> None:
        """Stop the server immediately and delete its data.  Safe to call twice."""
        atexit.unregister(self.stop)
        base = self._base
        if base is None:
            return
        if (self._datadir / "postmaster.pid").exists():
            result = self._run(
                [self._pg_ctl, "-D", str(self._datadir), "-m", "immediate", "-w", "stop"],
            )
            if result.returncode != 0:
                logger.warning(
                    "pg_ctl stop failed (%s): %s", result.returncode, result.stderr.strip()
                )
            else:
                logger.info("PostgreSQL on port %s stopped", self._port)
        shutil.rmtree(base, ignore_errors=True)
        self._base = None
        self._port = None

    def pause(self) -> None:
        """Stop the server, keeping its data and port (an outage): clients are cut off at once
        and new connections are refused until `resume`. For a cluster of one's own only."""
        result = self._run([self._pg_ctl, "-D", str(self._datadir), "-m", "fast", "-w", "stop"])
        if result.returncode != 0:
            raise RuntimeError(f"pg_ctl stop failed: {result.stderr.strip()}")

    def resume(self) -> None:
        """Start the paused server again on the same port."""
        settings = " ".join(f"-c {k}={v}" for k, v in _SERVER_SETTINGS.items())
        options = f"-h {HOST} -p {self.port} -k {shlex.quote(str(self._sockdir))} {settings}"
        argv = [self._pg_ctl, "-D", str(self._datadir), "-w", "-t", "60"]
        result = self._run([*argv, "-l", str(self._logfile), "-o", options, "start"])
        if result.returncode != 0:
            raise RuntimeError(f"pg_ctl start failed: {result.stderr.strip()}")

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- connection details ------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._port is not None

    @property
    def host(self) -> str:
        return HOST

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("PostgresCluster is not started")
        return self._port

    @property
    def user(self) -> str:
        return SUPERUSER

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the ``postgres`` maintenance database."""
        return self.url_for(ADMIN_DB)

    def url_for(self, dbname: str) -> str:
        """SQLAlchemy URL (psycopg 3 driver) of database ``dbname``."""
        return f"postgresql+psycopg://{SUPERUSER}@{HOST}:{self.port}/{dbname}"

    def conninfo(self, dbname: str = ADMIN_DB) -> str:
        """libpq connection string for ``psycopg.connect``."""
        return psycopg.conninfo.make_conninfo(
            host=HOST, port=self.port, user=SUPERUSER, dbname=dbname
        )

    # -- administration ----------------------------------------------------------

    def admin_execute(self, query: Query, dbname: str = ADMIN_DB) -> None:
        """Run one statement in autocommit mode (as needed by CREATE/DROP DATABASE)."""
        with psycopg.connect(self.conninfo(dbname), autocommit=True) as conn:
            conn.execute(query)

    def create_database(self, name: str, template: str | None = None) -> str:
        """Create database ``name`` (a copy of ``template`` if given); return its URL."""
        if template is None:
            query = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        else:
            # FILE_COPY (PG15+) copies the files instead of WAL-logging every block.
            query = sql.SQL("CREATE DATABASE {} TEMPLATE {} STRATEGY FILE_COPY").format(
                sql.Identifier(name), sql.Identifier(template)
            )
        self.admin_execute(query)
        return self.url_for(name)

    def drop_database(self, name: str) -> None:
        """Drop database ``name`` if it exists, disconnecting any sessions."""
        self.admin_execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )

    # -- internals ---------------------------------------------------------------

    @property
    def _datadir(self) -> Path:
        assert self._base is not None
        return self._base / "data"

    @property
    def _sockdir(self) -> Path:
        assert self._base is not None
        return self._base / "sock"

    @property
    def _logfile(self) -> Path:
        assert self._base is not None
        return self._base / "server.log"

    @property
    def _pg_ctl(self) -> str:
        assert self._bindir is not None
        return str(self._bindir / "pg_ctl")

    def _parent_dir(self, *, as_root: str | None) -> str:
        """Where the temporary directory goes: tmpfs if roomy, else the usual tmp.

        On a disk-backed /tmp, CREATE DATABASE ... TEMPLATE takes ~0.4s here against
        ~20ms on tmpfs (directory and checkpoint I/O is not covered by fsync=off).
        """
        if self._tmp_parent is not None:
            return str(self._tmp_parent)
        candidates = [] if os.environ.get("WIFIDESA_PG_NO_SHM") else [Path(_SHM_DIR)]
        candidates.append(Path(tempfile.gettempdir()))
        for cand in candidates:
            if not (cand.is_dir() and os.access(cand, os.W_OK | os.X_OK)):
                continue
            if as_root is not None and not _world_traversable(cand):
                continue
            if cand == Path(_SHM_DIR):
                st = os.statvfs(cand)
                if st.f_bavail * st.f_frsize < _SHM_MIN_FREE:
                    continue
            return str(cand)
        return "/tmp"

    def _run(self, argv: list[str]) -> subprocess.CompletedProcess[str]:
        if self._run_as is not None:
            argv = ["runuser", "-u", self._run_as, "--", *argv]
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["LC_ALL"] = "C"  # English, parseable server messages
        logger.debug("running %s", shlex.join(argv))
        return subprocess.run(
            argv,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
            cwd=self._base,
            env=env,
        )

    def _make_datadir(self) -> None:
        """Fill the data directory: a new cluster here (a replica copies its primary's)."""
        self._initdb()

    def _initdb(self) -> None:
        assert self._bindir is not None
        base = [
            str(self._bindir / "initdb"),
            "-D", str(self._datadir),
            "-A", "trust",
            "-U", SUPERUSER,
            "-E", "UTF8",
            "--no-sync",
        ]  # fmt: skip
        result = self._run([*base, "--locale=C.UTF-8"])
        if result.returncode != 0:
            logger.info("initdb with C.UTF-8 failed, retrying with --no-locale")
            shutil.rmtree(self._datadir, ignore_errors=True)
            result = self._run([*base, "--no-locale"])
        if result.returncode != 0:
            raise RuntimeError(
                f"initdb failed ({result.returncode}):\n{result.stdout}{result.stderr}"
            )

    def _start_server(self) -> None:
        settings = " ".join(f"-c {k}={v}" for k, v in _SERVER_SETTINGS.items())
        for attempt in range(1, _START_ATTEMPTS + 1):
            port = _free_port()
            options = f"-h {HOST} -p {port} -k {shlex.quote(str(self._sockdir))} {settings}"
            with contextlib.suppress(FileNotFoundError):
                self._logfile.unlink()
            argv = [
                self._pg_ctl,
                "-D", str(self._datadir),
                "-w", "-t", "60",
                "-l", str(self._logfile),
                "-o", options,
                "start",
            ]  # fmt: skip
            result = self._run(argv)
            if result.returncode == 0:
                self._port = port
                return
            log = _tail(self._logfile)
            if "could not bind" in log or os.strerror(errno.EADDRINUSE) in log:
                logger.info("port %s taken (attempt %s), retrying", port, attempt)
                continue
            break
        raise RuntimeError(
            f"PostgreSQL failed to start (pg_ctl exit {result.returncode}): "
            f"{result.stderr.strip()}\n--- server log (tail) ---\n{log}"
        )
