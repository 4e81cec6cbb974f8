"""Typed settings, read from the environment (`WIFIDESA_` prefix) and an optional `.env` file.

Settings are built by `load_settings()` and passed in; nothing reads them at import time.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from wifidesa.errors import ConfigError, ErrorCode

PLACEHOLDER_SECRET = "change-me"  # noqa: S105 - the value we refuse outside development
DEFAULT_TIMEZONE = "Asia/Makassar"  # WITA, UTC+8: all of Kalimantan Timur


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class Settings(BaseSettings):
    """Everything the service can be told. See README "Configuration"."""

    model_config = SettingsConfigDict(
        env_prefix="WIFIDESA_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    env: Environment = Environment.PRODUCTION
    # Signs sessions and CSRF tokens, and derives the key that encrypts router secrets at rest.
    secret_key: str = Field(default=PLACEHOLDER_SECRET, repr=False)
    var_dir: Path = Path("var")
    database_url: str = ""  # empty: SQLite file var/wifidesa.db
    timezone: str = DEFAULT_TIMEZONE
    sqlite_busy_timeout_ms: int = 10_000  # how long a SQLite writer waits for the lock

    web_host: str = "127.0.0.1"
    web_port: int = 8000
    public_url: str = "http://127.0.0.1:8000"

    radius_host: str = "0.0.0.0"  # noqa: S104 - routers reach the RADIUS server from outside
    radius_auth_port: int = 1812
    radius_acct_port: int = 1813
    radius_workers: int = 0  # processes answering RADIUS; 0 = one per CPU core
    radius_reply_cache_seconds: int = 30  # retransmissions within this get the same answer

    log_level: str = "INFO"

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to a SQLite file under `var_dir`."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.var_dir / 'wifidesa.db').as_posix()}"

    @property
    def is_development(self) -> bool:
        return self.env is Environment.DEVELOPMENT


def load_settings(env_file: str | Path | None = ".env", **overrides: Any) -> Settings:
    """Build settings from the environment, an optional env file, and explicit overrides."""
    try:
        return Settings(_env_file=env_file, **overrides)
    except ValueError as exc:
        # pydantic's message spans lines; keep the first useful one.
        first = str(exc).splitlines()
        detail = "; ".join(line.strip() for line in first[1:3]) if len(first) > 1 else str(exc)
        raise ConfigError(ErrorCode.INVALID_SETTINGS, detail=detail) from None


def check_for_startup(settings: Settings) -> None:
    """Refuse to start a service with a placeholder secret outside development."""
    if settings.is_development:
        return
    if settings.secret_key == PLACEHOLDER_SECRET or len(settings.secret_key) < 32:
        raise ConfigError(
            ErrorCode.PLACEHOLDER_SECRET,
            example='WIFIDESA_SECRET_KEY="$(python3 -c '
            '"import secrets; print(secrets.token_urlsafe(48))")"',
        )
