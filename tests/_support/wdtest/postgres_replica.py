"""A real streaming replica of a running test cluster, for tests of reading from one.

:class:`PostgresReplica` copies its primary with ``pg_basebackup -R`` (which writes
``primary_conninfo`` and ``standby.signal``) into a temporary directory of its own, starts it
on a free port as a hot standby, and waits until it is in recovery and has replayed everything
the primary had written. A physical replication slot keeps the primary's WAL for it while it is
paused (stopped); :meth:`stop` drops the slot again, so the primary does not keep WAL for ever.

The primary needs nothing set: ``initdb`` allows replication connections from 127.0.0.1
(``host replication all 127.0.0.1/32 trust``), and ``wal_level=replica`` and
``max_wal_senders=10`` are PostgreSQL's defaults.

Typical use::

    replica = PostgresReplica(primary)
    replica.start()
    ...
    replica.catch_up()  # after writing on the primary
    replica.stop()
"""

from __future__ import annotations

import itertools
import logging
import os
import time
from pathlib import Path

import psycopg
from psycopg import errors, sql

from wdtest.postgres import HOST, SUPERUSER, PostgresCluster

__all__ = ["PostgresReplica"]

logger = logging.getLogger(__name__)

CATCH_UP_SECONDS = 30.0
_POLL = 0.05
_slots = itertools.count()


class PostgresReplica(PostgresCluster):
    """A hot standby streaming from ``primary`` (a started :class:`PostgresCluster`)."""

    def __init__(self, primary: PostgresCluster) -> None:
        super().__init__()
        self.primary = primary
        self.slot = f"wdtest_replica_{os.getpid()}_{next(_slots)}"
        self._slot_made = False
        self.down = False  # paused: stopped, keeping its data

    def start(self) -> None:
        if self.running:
            return
        super().start()
        deadline = time.monotonic() + CATCH_UP_SECONDS
        while not self._in_recovery():
            if time.monotonic() > deadline:
                raise RuntimeError("the replica did not come up as a standby")
            time.sleep(_POLL)
        self.catch_up()

    def stop(self) -> None:
        super().stop()
        if self._slot_made and self.primary.running:
            self._drop_slot()

    def pause(self) -> None:
        """Stop the replica, keeping its data (a replica that is down); `resume` starts it
        again and it catches up from its slot."""
        super().pause()
        self.down = True

    def resume(self) -> None:
        super().resume()
        self.down = False

    # -- replication -------------------------------------------------------------

    def catch_up(self, timeout: float = CATCH_UP_SECONDS) -> None:
        """Wait until the replica has replayed everything the primary wrote so far."""
        with psycopg.connect(self.primary.conninfo(), autocommit=True) as primary:
            # Test clusters commit without flushing (synchronous_commit=off), and the WAL writer
            # leaves a last record that is no commit unflushed until more comes (up to 15 s):
            # a transaction that writes WAL (a message), committed with a flush, flushes all.
            primary.execute("SET synchronous_commit = on")
            primary.execute("SELECT pg_logical_emit_message(true, 'wdtest', 'catch up')")
            row = primary.execute("SELECT pg_current_wal_flush_lsn()::text").fetchone()
        assert row is not None
        target = row[0]
        deadline = time.monotonic() + timeout
        with psycopg.connect(self.conninfo(), autocommit=True) as standby:
            while True:
                done = standby.execute(
                    "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (target,)
                ).fetchone()
                if done is not None and done[0]:
                    return
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the replica did not replay up to {target} in {timeout} s")
                time.sleep(_POLL)

    def pause_replay(self) -> None:
        """Stop applying the primary's changes (still received): reads see the data as of now."""
        self.admin_execute("SELECT pg_wal_replay_pause()")

    def resume_replay(self) -> None:
        self.admin_execute("SELECT pg_wal_replay_resume()")

    def _in_recovery(self) -> bool:
        try:
            with psycopg.connect(self.conninfo(), autocommit=True) as standby:
                row = standby.execute("SELECT pg_is_in_recovery()").fetchone()
        except psycopg.OperationalError:
            return False
        return row is not None and bool(row[0])

    # -- the data directory: the primary's, copied -------------------------------

    def _make_datadir(self) -> None:
        argv = [
            str(Path(self._pg_ctl).with_name("pg_basebackup")),
            "-h", HOST,
            "-p", str(self.primary.port),
            "-U", SUPERUSER,
            "-D", str(self._datadir),
            "-R",  # standby.signal and primary_conninfo: start as a streaming replica
            "-X", "stream",
            "-c", "fast",  # checkpoint at once instead of spreading it
            "-C", "-S", self.slot,
            "--no-sync",
        ]  # fmt: skip
        result = self._run(argv)
        if result.returncode != 0:
            raise RuntimeError(f"pg_basebackup failed ({result.returncode}): {result.stderr}")
        self._slot_made = True

    def _drop_slot(self) -> None:
        # The primary's walsender may outlive the stopped replica for a moment: the slot is
        # active until it notices.
        deadline = time.monotonic() + CATCH_UP_SECONDS
        while True:
            try:
                self.primary.admin_execute(
                    sql.SQL("SELECT pg_drop_replication_slot({})").format(sql.Literal(self.slot))
                )
            except errors.ObjectInUse:
                if time.monotonic() > deadline:
                    logger.warning("replication slot %s still in use; left", self.slot)
                    return
                time.sleep(_POLL)
                continue
            except errors.UndefinedObject:
                pass
            self._slot_made = False
            return
