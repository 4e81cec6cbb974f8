"""The clock a test moves through a file, and its refusal outside development."""

from __future__ import annotations

import logging
import secrets
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from wifidesa.cli.main import main
from wifidesa.clock import FileClock, make_clock, set_offset, set_time, system_clock
from wifidesa.errors import ConfigError, ErrorCode
from wifidesa.settings import check_for_startup, load_settings

REAL = datetime(2026, 3, 31, 15, 59, tzinfo=UTC)  # 23:59 WITA: a minute before the day ends


def real() -> datetime:
    return REAL


def test_without_the_file_the_clock_is_real_time(tmp_path: Path) -> None:
    assert FileClock(tmp_path / "clock", real=real)() == REAL


def test_the_clock_follows_each_change_of_the_file(tmp_path: Path) -> None:
    path = tmp_path / "clock"
    clock = FileClock(path, real=real)
    set_offset(path, 120)
    assert clock() == REAL + timedelta(minutes=2)
    # Changes in quick succession (within one tick of the file system's clock) are all seen.
    for seconds in (1.5, -3600, 86400, 86400.25):
        set_offset(path, seconds)
        assert clock() == REAL + timedelta(seconds=seconds)
    path.unlink()
    assert clock() == REAL


def test_set_time_moves_the_clock_to_a_moment(tmp_path: Path) -> None:
    path = tmp_path / "clock"
    midnight = datetime(2026, 3, 31, 16, 0, 30, tzinfo=UTC)  # 00:00:30 WITA, April 1st
    set_time(path, midnight, real=real)
    assert FileClock(path, real=real)() == midnight
    set_time(path, midnight)  # against the system's clock: it runs on from there
    assert abs(FileClock(path)() - midnight) < timedelta(seconds=30)


def test_a_file_without_a_number_leaves_the_clock_where_it_was(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "clock"
    clock = FileClock(path, real=real)
    set_offset(path, 60)
    assert clock() == REAL + timedelta(minutes=1)
    path.write_text("tomorrow\n")
    with caplog.at_level(logging.WARNING):
        assert clock() == REAL + timedelta(minutes=1)
        assert clock() == REAL + timedelta(minutes=1)
    assert len([r for r in caplog.records if "no number of seconds" in r.getMessage()]) == 1


def test_only_development_runs_on_a_moved_clock(tmp_path: Path) -> None:
    path = tmp_path / "clock"
    assert make_clock(load_settings(env_file=None, env="production")) is system_clock
    assert isinstance(
        make_clock(load_settings(env_file=None, env="development", clock_file=path)), FileClock
    )
    strong = secrets.token_urlsafe(48)
    production = load_settings(env_file=None, env="production", secret_key=strong, clock_file=path)
    for refuse in (make_clock, check_for_startup):
        with pytest.raises(ConfigError, match="WIFIDESA_CLOCK_FILE") as info:
            refuse(production)
        assert info.value.code is ErrorCode.CLOCK_FILE_OUTSIDE_DEVELOPMENT
        assert str(path) in str(info.value) and "\n" not in str(info.value)


def test_an_empty_setting_is_no_clock_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WIFIDESA_CLOCK_FILE", "")
    settings = load_settings(env_file=None, env="production")
    assert settings.clock_file is None
    assert make_clock(settings) is system_clock


def test_the_radius_service_refuses_a_clock_file_outside_development(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("WIFIDESA_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    monkeypatch.setenv("WIFIDESA_ENV", "production")
    monkeypatch.setenv("WIFIDESA_SECRET_KEY", secrets.token_urlsafe(48))
    monkeypatch.setenv("WIFIDESA_CLOCK_FILE", str(tmp_path / "clock"))
    assert main(["init"]) == 0  # a service in production: the database is up to date
    capsys.readouterr()
    # Its port taken, so that were the clock file let through, the service would fail to
    # listen (another error) instead of running on.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind(("127.0.0.1", 0))
        monkeypatch.setenv("WIFIDESA_RADIUS_HOST", "127.0.0.1")
        monkeypatch.setenv("WIFIDESA_RADIUS_AUTH_PORT", str(taken.getsockname()[1]))
        code = main(["radius"])
    err = capsys.readouterr().err.strip()
    assert code != 0 and len(err.splitlines()) == 1, err
    assert "error:" in err and "WIFIDESA_CLOCK_FILE" in err and "Traceback" not in err
