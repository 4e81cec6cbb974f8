from pathlib import Path

import pytest

from wifidesa.errors import ConfigError
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


def test_unknown_time_zone_is_a_one_line_config_error() -> None:
    with pytest.raises(ConfigError, match="time zone") as info:
        load_settings(env_file=None, timezone="Asia/Nowhere")
    assert "\n" not in str(info.value)


def test_secret_is_not_in_the_settings_repr() -> None:
    settings = load_settings(env_file=None, secret_key="s3cr3t-value-" * 4)
    assert "s3cr3t" not in repr(settings)
