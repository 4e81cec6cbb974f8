"""Schema management: Alembic upgrade/downgrade, and the models-versus-migrations check."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

import wifidesa.db.models  # noqa: F401 - registers every table on the metadata
from wifidesa.db.engine import Base
from wifidesa.db.models.sessions import PARTITION_NAME

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


def _run(engine: Engine, fn: Any, *args: Any, **kwargs: Any) -> None:
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        fn(config, *args, **kwargs)


def upgrade(engine: Engine, revision: str = "head") -> None:
    _run(engine, command.upgrade, revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    _run(engine, command.downgrade, revision)


def revision(engine: Engine, message: str) -> None:
    """Autogenerate a new migration from the difference between models and the database."""
    _run(engine, command.revision, message=message, autogenerate=True)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def is_modelled(name: str | None, kind: str, _parents: Any = None) -> bool:
    """False for what no model describes: the partitions of a partitioned table (PostgreSQL
    reflects them as tables of their own; wifidesa.db.models.sessions)."""
    return not (kind == "table" and name is not None and PARTITION_NAME.fullmatch(name))


def differences(engine: Engine) -> list[Any]:
    """What the models have that the (migrated) database lacks, or the other way round."""
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "compare_server_default": True,
                "include_name": is_modelled,
            },
        )
        return list(compare_metadata(context, Base.metadata))


def describe_difference(diff: Any) -> str:
    """One line for an autogenerate difference (a tuple, or a list of column changes)."""
    if isinstance(diff, list):
        return "; ".join(describe_difference(d) for d in diff)
    kind, *rest = diff
    names = [getattr(x, "name", None) or str(x) for x in rest if x is not None][:3]
    return f"{kind}: {' '.join(str(n) for n in names)}"
