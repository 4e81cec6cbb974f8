"""The CLI's database context: commands that run at once wait their turn instead of failing
(Ansible runs `routers credentials` for many routers at once)."""

from __future__ import annotations

import contextlib
import threading

from sqlalchemy import select, text

from wifidesa.cli.context import AppContext
from wifidesa.db.models import Region
from wifidesa.settings import Settings


def test_two_commands_that_read_then_write_at_once_both_succeed(settings: Settings) -> None:
    contexts = [AppContext(settings), AppContext(settings)]
    both_have_read = threading.Barrier(2, timeout=1)
    errors: list[BaseException] = []

    def read_then_write(ctx: AppContext, name: str) -> None:
        try:
            with ctx.transaction() as session:
                session.scalars(select(Region.code)).all()
                # Both read before either writes: on SQLite, unless the write lock is taken
                # at BEGIN, one write then fails ("database is locked"). With it, the second
                # command waits at BEGIN and the barrier gives up after its timeout.
                with contextlib.suppress(threading.BrokenBarrierError):
                    both_have_read.wait()
                session.execute(text("UPDATE regions SET name = :name WHERE code = '64'"),
                                {"name": name})  # fmt: skip
        except Exception as error:
            errors.append(error)

    threads = [
        threading.Thread(target=read_then_write, args=(ctx, f"Kaltim {n}"))
        for n, ctx in enumerate(contexts)
    ]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        for ctx in contexts:
            ctx.close()

    assert errors == []
