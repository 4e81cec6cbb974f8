import secrets
from pathlib import Path

import pytest

from wifidesa.errors import ConfigError, ErrorCode
from wifidesa.settings import PLACEHOLDER_SECRET, check_for_startup, load_settings


def test_default_database_is_a_sqlite_file_under_var() -> None:
    settings = load_settings(env_file=None, var_dir=Path("/srv/wd"))
    assert settings.resolved_database_url == "sqlite:////srv/wd/wifidesa.db"


def test_environment_variables_use_the_wifidesa_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WIFIDESA_DATABASE_URL", "postgresql+psycopg://db/wifidesa")
    monkeypatch.setenv("WIFIDESA_RADIUS_AUTH_PORT", "11812")
    settings = load_settings(env_file=None)
    assert settings.resolved_database_url == "postgresql+psycopg://db/wifidesa"
    assert settings.radius_auth_port == 11812


def test_env_file_is_read(tmp_path: Path) -> None:
    env = tmp_path / "test.env"
    env.write_text("WIFIDESA_WEB_PORT=9090\nWIFIDESA_ENV=development\n")
    settings = load_settings(env_file=env)
    assert settings.web_port == 9090
    assert settings.is_development


def test_placeholder_secret_refuses_to_start_in_production() -> None:
    settings = load_settings(env_file=None, env="production")
    assert settings.secret_key == PLACEHOLDER_SECRET
    with pytest.raises(ConfigError, match="WIFIDESA_SECRET_KEY") as info:
        check_for_startup(settings)
    assert "\n" not in str(info.value)


def test_short_secret_refuses_to_start_in_production() -> None:
    with pytest.raises(ConfigError):
        check_for_startup(load_settings(env_file=None, env="production", secret_key="short"))


def test_placeholder_secret_is_allowed_in_development() -> None:
    check_for_startup(load_settings(env_file=None, env="development"))


def test_real_secret_starts_in_production() -> None:
    check_for_startup(load_settings(env_file=None, env="production", secret_key="x" * 40))


def test_the_web_service_refuses_plain_http_in_production() -> None:
    settings = load_settings(env_file=None, env="production", secret_key="x" * 40)
    with pytest.raises(ConfigError, match="outside development the web service runs behind HTTPS"):
        check_for_startup(settings, web=True)
    https = settings.model_copy(update={"public_url": "https://wifi.kaltimprov.go.id"})
    check_for_startup(https, web=True)
    check_for_startup(settings)  # RADIUS alone needs no public address


def test_unknown_time_zone_is_a_one_line_config_error() -> None:
    with pytest.raises(ConfigError, match="time zone") as info:
        load_settings(env_file=None, timezone="Asia/Nowhere")
    assert "\n" not in str(info.value)


def test_secret_is_not_in_the_settings_repr() -> None:
    settings = load_settings(env_file=None, secret_key="s3cr3t-value-" * 4)
    assert "s3cr3t" not in repr(settings)


GOOD_KEY = "x" * 40


def test_old_secret_keys_are_a_comma_separated_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WIFIDESA_OLD_SECRET_KEYS", f" {'a' * 40}, {'b' * 40} ,")
    assert load_settings(env_file=None).old_secret_key_list == ["a" * 40, "b" * 40]
    assert load_settings(env_file=None, old_secret_keys="").old_secret_key_list == []


@pytest.mark.parametrize("old", ["tiny-k3y", PLACEHOLDER_SECRET])
def test_a_weak_old_secret_key_refuses_to_start_in_production(old: str) -> None:
    settings = load_settings(
        env_file=None, env="production", secret_key=GOOD_KEY, old_secret_keys=f"{'y' * 40},{old}"
    )
    with pytest.raises(ConfigError, match="key 2 of WIFIDESA_OLD_SECRET_KEYS") as info:
        check_for_startup(settings)
    assert info.value.code is ErrorCode.WEAK_OLD_SECRET_KEY
    assert old not in str(info.value) and "\n" not in str(info.value)


def test_a_short_device_hash_key_refuses_to_start_in_production() -> None:
    short = secrets.token_urlsafe(16)
    settings = load_settings(
        env_file=None, env="production", secret_key=GOOD_KEY, device_hash_key=short
    )
    with pytest.raises(ConfigError) as info:
        check_for_startup(settings)
    assert info.value.code is ErrorCode.WEAK_DEVICE_HASH_KEY
    assert short not in str(info.value) and "\n" not in str(info.value)


def test_a_device_hash_key_that_is_not_base64_refuses_to_start_even_in_development() -> None:
    settings = load_settings(env_file=None, env="development", device_hash_key="not base64!")
    with pytest.raises(ConfigError) as info:
        check_for_startup(settings)
    assert info.value.code is ErrorCode.DEVICE_HASH_KEY_NOT_BASE64


def test_short_keys_are_allowed_in_development() -> None:
    check_for_startup(
        load_settings(
            env_file=None,
            env="development",
            old_secret_keys="short",
            device_hash_key=secrets.token_urlsafe(8),
        )
    )


def test_good_old_and_device_hash_keys_start_in_production() -> None:
    check_for_startup(
        load_settings(
            env_file=None,
            env="production",
            secret_key=GOOD_KEY,
            old_secret_keys="y" * 40,
            device_hash_key=secrets.token_urlsafe(32),
        )
    )


def test_no_key_is_in_the_settings_repr() -> None:
    device_key = secrets.token_urlsafe(32)
    settings = load_settings(
        env_file=None,
        secret_key="s3cr3t-value-" * 4,
        old_secret_keys=f"{'old-k3y-' * 5},{'older-k3y-' * 4}",
        device_hash_key=device_key,
    )
    for fragment in ("s3cr3t", "old-k3y", "older-k3y", device_key):
        assert fragment not in repr(settings)
        assert fragment not in str(settings)


def test_raw_sessions_are_kept_twelve_months_unless_told() -> None:
    assert load_settings(env_file=None).retention_months == 12
    assert load_settings(env_file=None, retention_months=6).retention_months == 6


@pytest.mark.parametrize("months", [0, -1])
def test_a_retention_of_no_months_is_a_one_line_config_error(months: int) -> None:
    with pytest.raises(ConfigError, match="retention_months is .*; it must be 1 or more") as info:
        load_settings(env_file=None, retention_months=months)
    assert info.value.code is ErrorCode.INVALID_SETTINGS
    assert "\n" not in str(info.value)


def test_a_retention_interval_of_no_time_is_refused() -> None:
    with pytest.raises(ConfigError, match="retention_every_seconds is 0.0; it must be more"):
        load_settings(env_file=None, retention_every_seconds=0)


def test_statistics_read_the_main_database_unless_told() -> None:
    settings = load_settings(env_file=None, database_url="postgresql+psycopg://db/wifidesa")
    assert settings.resolved_stats_database_url == "postgresql+psycopg://db/wifidesa"
    replica = "postgresql+psycopg://stats@replica/wifidesa"
    told = settings.model_copy(update={"stats_database_url": replica})
    assert told.resolved_stats_database_url == replica


@pytest.mark.parametrize("url", ["replica.example:5432", "mysq1://u:hunter2@replica/wd"])
def test_a_statistics_database_url_that_is_none_refuses_to_start_even_in_development(
    url: str,
) -> None:
    settings = load_settings(env_file=None, env="development", stats_database_url=url)
    with pytest.raises(
        ConfigError, match="WIFIDESA_STATS_DATABASE_URL is not a database URL"
    ) as info:
        check_for_startup(settings, web=True)
    assert "\n" not in str(info.value)
    assert "hunter2" not in str(info.value) and "hunter2" not in repr(settings)
    assert info.value.code is ErrorCode.STATS_DATABASE_URL_INVALID


@pytest.mark.parametrize("name", ["poll_interval_seconds", "poll_threads", "api_timeout_seconds"])
def test_a_fleet_poll_setting_of_nothing_is_refused(name: str) -> None:
    with pytest.raises(ConfigError, match=f"{name} is 0.*; it must be more than 0"):
        load_settings(env_file=None, **{name: 0})


def test_routers_are_polled_every_five_minutes_unless_told() -> None:
    settings = load_settings(env_file=None)
    assert (settings.poll_interval_seconds, settings.api_timeout_seconds) == (300.0, 10.0)
