"""Typed settings, read from the environment (`WIFIDESA_` prefix) and an optional `.env` file.

Settings are built by `load_settings()` and passed in; nothing reads them at import time.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from wifidesa.crypto import decode_device_hash_key
from wifidesa.errors import ConfigError, ErrorCode

PLACEHOLDER_SECRET = "change-me"  # noqa: S105 - the value we refuse outside development
MINIMUM_KEY_LENGTH = 32  # characters of a secret key; bytes of the device-hash key
_KEY_EXAMPLE = (
    'WIFIDESA_SECRET_KEY="$(python3 -c "import secrets; print(secrets.token_urlsafe(48))")"'
)
_DEVICE_KEY_EXAMPLE = (
    'WIFIDESA_DEVICE_HASH_KEY="$(python3 -c "import secrets; print(secrets.token_urlsafe(32))")"'
)
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
    # Earlier secret keys, comma-separated: they still decrypt router secrets until
    # `wifidesa keys reencrypt` has moved every secret to the current key.
    old_secret_keys: str = Field(default="", repr=False)
    # Keys the hash of MACs in statistics; empty: derived from the secret key (as before).
    device_hash_key: str = Field(default="", repr=False)
    var_dir: Path = Path("var")
    database_url: str = ""  # empty: SQLite file var/wifidesa.db
    # Statistics (pages, API, the exports' reports) read from this database when set: a
    # streaming replica of the main one, so a province's year read does not compete with
    # accounting. Only read, in read-only transactions; exports are queued and stored in the
    # main database. Empty: the main database. May hold a password: never shown.
    stats_database_url: str = Field(default="", repr=False)
    timezone: str = DEFAULT_TIMEZONE
    sqlite_busy_timeout_ms: int = 10_000  # how long a SQLite writer waits for the lock

    web_host: str = "127.0.0.1"
    web_port: int = 8000
    public_url: str = "http://127.0.0.1:8000"
    # The admin UI and API on a host name of their own (e.g. admin.wifi.kaltimprov.go.id):
    # then they answer only there, and the portal that every hotspot client reaches does not.
    admin_host: str = ""

    radius_host: str = "0.0.0.0"  # noqa: S104 - routers reach the RADIUS server from outside
    radius_auth_port: int = 1812
    radius_acct_port: int = 1813
    radius_workers: int = 0  # processes answering RADIUS; 0 = one per CPU core
    radius_reply_cache_seconds: int = 30  # retransmissions within this get the same answer
    radius_latency_log_seconds: float = 60.0  # each worker logs how fast it answered, this often

    # How often statistics catch up with accounting (each changed site-day recomputed once).
    stats_rollup_seconds: float = 900.0
    # The web service makes the statistics exports admins queue (portal.admin.stats.worker);
    # with several web processes, one is enough.
    export_worker: bool = True
    # UU PDP: raw sessions older than this lose their MAC, IP address and user name, and device
    # rows nobody needs go (wifidesa.usage.retention); rollups stay. The `stats` service does it
    # every `retention_every_seconds`, the first time a minute after it starts.
    retention_months: int = 12
    retention_every_seconds: float = 86_400.0
    # Sessions that ended this many days ago leave the live rows for their month's partition
    # (wifidesa.usage.archive), at each retention run; at least 8 (accounting comes up to 7
    # days late).
    sessions_archive_days: int = 14
    # How often each RADIUS worker appends the logins it counted in memory: a worker killed
    # without stopping (SIGKILL) loses at most this long's counts (wifidesa.stats.logins).
    stats_login_flush_seconds: float = 60.0

    # The router fleet (controllers.poller): every router's RouterOS API polled this often,
    # by this many threads at once (each blocked ~700 ms per command on a VSAT link); a command
    # with no reply in `api_timeout_seconds` drops the connection (its late reply would answer
    # the next command) and the poll counts as failed.
    poll_interval_seconds: float = 300.0
    poll_threads: int = 100
    api_timeout_seconds: float = 10.0
    # The CA that signed the routers' API certificates (8729); unset, TLS encrypts but does not
    # check whom it talks to (RouterOS makes itself a self-signed certificate).
    api_tls_ca_file: Path | None = None

    # Alerts to admins (controllers.notify; the `notify` service of `wifidesa serve` sends the
    # notification outbox every `notify_every_seconds`). E-mail needs `smtp_host`; Telegram
    # a bot's token (from @BotFather); webhooks nothing. Tokens and passwords are never shown.
    smtp_host: str = ""  # empty: no e-mail is sent (those notifications fail and are retried)
    smtp_port: int = 587
    smtp_starttls: bool = True
    smtp_username: str = ""  # empty: no login
    smtp_password: str = Field(default="", repr=False)
    mail_from: str = "wifidesa@localhost"
    telegram_bot_token: str = Field(default="", repr=False)
    telegram_api_url: str = "https://api.telegram.org"
    notify_timeout_seconds: float = 15.0  # per SMTP conversation, Telegram or webhook request
    notify_every_seconds: float = 10.0
    # Which fleet events become alerts (wifidesa.alerts.rules): a router down for more than
    # this many minutes (a blip on VSAT tells nobody); a router that changes state more than
    # `alert_flap_changes` times within `alert_flap_window_minutes` is "flapping": one alert,
    # then none about it until it has kept one state for `alert_flap_stable_minutes`.
    alert_down_after_minutes: int = 15
    alert_flap_changes: int = 4
    alert_flap_window_minutes: int = 60
    alert_flap_stable_minutes: int = 30
    # The daily digest to every channel from this hour of the local day (`timezone`) on, by
    # the `notify` service; empty: no digest.
    alert_digest_hour: int | None = 7

    log_level: str = "INFO"
    # Development only: a file holding seconds that the RADIUS service adds to the real time,
    # so tests of the running service can pass midnight without waiting (wifidesa/clock.py).
    clock_file: Path | None = None

    @field_validator("clock_file", "api_tls_ca_file", "alert_digest_hour", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("retention_months")
    @classmethod
    def _months_kept(cls, value: int) -> int:
        if value < 1:
            raise ValueError(
                f"retention_months is {value}; it must be 1 or more (months that raw sessions "
                "keep their MAC, IP address and user name)"
            )
        return value

    @field_validator("sessions_archive_days")
    @classmethod
    def _archive_after_late_accounting(cls, value: int) -> int:
        from wifidesa.usage.archive import LEAST_DAYS  # the models import these settings

        if value < LEAST_DAYS:
            raise ValueError(
                f"sessions_archive_days is {value}; it must be {LEAST_DAYS} or more (accounting "
                "arrives up to 7 days late, and archived sessions are not merged into)"
            )
        return value

    @field_validator("retention_every_seconds")
    @classmethod
    def _positive_interval(cls, value: float) -> float:
        if value <= 0:
            raise ValueError(f"retention_every_seconds is {value}; it must be more than 0")
        return value

    @field_validator("poll_interval_seconds", "poll_threads", "api_timeout_seconds")
    @classmethod
    def _positive_fleet_setting(cls, value: float, info: ValidationInfo) -> float:
        if value <= 0:
            raise ValueError(f"{info.field_name} is {value}; it must be more than 0")
        return value

    @field_validator("alert_digest_hour")
    @classmethod
    def _an_hour(cls, value: int | None) -> int | None:
        if value is not None and not 0 <= value <= 23:
            raise ValueError(f"alert_digest_hour is {value}; it must be 0 to 23, or empty")
        return value

    @field_validator(
        "alert_down_after_minutes",
        "alert_flap_changes",
        "alert_flap_window_minutes",
        "alert_flap_stable_minutes",
    )
    @classmethod
    def _positive_alert_setting(cls, value: int, info: ValidationInfo) -> int:
        if value <= 0:
            raise ValueError(f"{info.field_name} is {value}; it must be more than 0")
        return value

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
    def resolved_stats_database_url(self) -> str:
        """Where statistics are read: `stats_database_url`, else the main database."""
        return self.stats_database_url or self.resolved_database_url

    @property
    def is_development(self) -> bool:
        return self.env is Environment.DEVELOPMENT

    @property
    def old_secret_key_list(self) -> list[str]:
        """`old_secret_keys` split on commas, blanks dropped."""
        return [key.strip() for key in self.old_secret_keys.split(",") if key.strip()]


def load_settings(env_file: str | Path | None = ".env", **overrides: Any) -> Settings:
    """Build settings from the environment, an optional env file, and explicit overrides."""
    try:
        return Settings(_env_file=env_file, **overrides)
    except ValueError as exc:
        # pydantic's message spans lines; keep the first useful one.
        first = str(exc).splitlines()
        detail = "; ".join(line.strip() for line in first[1:3]) if len(first) > 1 else str(exc)
        raise ConfigError(ErrorCode.INVALID_SETTINGS, detail=detail) from None


def check_for_startup(settings: Settings, *, web: bool = False) -> None:
    """Refuse to start a service with a placeholder or short key outside development, or with
    a device-hash key that is not URL-safe base64 or a statistics database URL that is none;
    the web service also on plain http outside development (admin cookies without Secure,
    portal tokens and PAP codes in clear); and a clock file (a clock that tests move) anywhere
    but in development."""
    device_key = (
        decode_device_hash_key(settings.device_hash_key) if settings.device_hash_key else None
    )
    check_clock_file(settings)
    check_stats_database_url(settings)
    if settings.is_development:
        return
    if _weak(settings.secret_key):
        raise ConfigError(ErrorCode.PLACEHOLDER_SECRET, example=_KEY_EXAMPLE)
    for position, key in enumerate(settings.old_secret_key_list, start=1):
        if _weak(key):
            raise ConfigError(ErrorCode.WEAK_OLD_SECRET_KEY, position=position)
    if device_key is not None and len(device_key) < MINIMUM_KEY_LENGTH:
        raise ConfigError(
            ErrorCode.WEAK_DEVICE_HASH_KEY, minimum=MINIMUM_KEY_LENGTH, example=_DEVICE_KEY_EXAMPLE
        )
    if web and not settings.public_url.startswith("https://"):
        raise ConfigError(ErrorCode.PUBLIC_URL_NOT_HTTPS, url=settings.public_url)


def check_clock_file(settings: Settings) -> None:
    """A service whose clock a file can move is a test rig: refuse it outside development."""
    if settings.clock_file is not None and not settings.is_development:
        raise ConfigError(ErrorCode.CLOCK_FILE_OUTSIDE_DEVELOPMENT, path=settings.clock_file)


def check_stats_database_url(settings: Settings) -> None:
    """A statistics database URL that SQLAlchemy cannot read is refused at start-up, in one
    line without the URL (it may hold a password), rather than at the first statistics page."""
    if not settings.stats_database_url:
        return
    try:
        make_url(settings.stats_database_url).get_dialect()
    except ArgumentError as exc:  # unparseable, or an unknown scheme (NoSuchModuleError)
        raise ConfigError(ErrorCode.STATS_DATABASE_URL_INVALID, reason=str(exc)) from None


def _weak(key: str) -> bool:
    return key == PLACEHOLDER_SECRET or len(key) < MINIMUM_KEY_LENGTH
