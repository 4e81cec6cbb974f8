"""What a command needs, built once from settings: engine, sessions, secret box."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from wifidesa.crypto import SecretBox
from wifidesa.db.engine import make_engine, make_session_factory, transaction
from wifidesa.settings import Settings


class AppContext:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @cached_property
    def engine(self) -> Engine:
        # On SQLite a command's transaction takes the write lock at BEGIN: several commands at
        # once (Ansible asks `routers credentials` from many forks, each read then audited)
        # would otherwise fail with "database is locked" instead of waiting their turn.
        return make_engine(self.settings.resolved_database_url, sqlite_immediate=True)

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        return make_session_factory(self.engine)

    @cached_property
    def box(self) -> SecretBox:
        return SecretBox.from_settings(self.settings)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with transaction(self.sessions) as session:
            yield session

    def close(self) -> None:
        if "engine" in self.__dict__:
            self.engine.dispose()
