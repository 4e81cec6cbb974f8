"""The CLI: every command works end to end, and every failure is one line and a non-zero exit."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from wifidesa.cli.main import main

VENV_BIN = Path(sys.executable).parent


@pytest.fixture
def cli(cli_env: None, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    def run(*argv: str, stdin: str | None = None) -> tuple[int, str, str]:
        if stdin is not None:
            import io

            sys.stdin = io.StringIO(stdin)
        try:
            code = main(list(argv))
        except SystemExit as exc:  # argparse usage errors
            code = int(exc.code or 0)
        finally:
            sys.stdin = sys.__stdin__
        out, err = capsys.readouterr()
        return code, out, err

    return run


def _one_line_error(code: int, err: str, fragment: str) -> None:
    assert code != 0
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "error:" in lines[0] and fragment in lines[0], err
    assert "Traceback" not in err


def test_init_is_idempotent(cli) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = cli("init")
    assert code == 0 and "up to date" in out
    code, out, _ = cli("init")
    assert code == 0 and "0 reference regions added" in out


def test_demo_seeds_an_empty_database_once(cli) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = cli("demo", "--vouchers", "3")
    assert code == 0
    assert "admin:" in out and "RADIUS secret" in out and "wifidesa serve" in out
    assert "/admin/stats" in out
    code, out, _ = cli("demo", "--if-empty")
    assert code == 0 and "not seeded" in out
    code, _, err = cli("demo")
    _one_line_error(code, err, "not empty")
    code, out, _ = cli("routers", "list")
    assert "demo-router" in out
    assert "demo-router-7" in out  # six more villages with a month of usage, rolled up
    code, out, _ = cli("stats", "rollup")
    assert code == 0 and out.startswith("0 site-days recomputed")


def test_site_router_profile_voucher_flow(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert (
        cli(
            "sites",
            "add",
            "--desa-code",
            "64.04.01.2001",
            "--desa-name",
            "Sangatta Utara",
            "--kecamatan",
            "Sangatta Utara",
            "--code",
            "sgt",
        )[0]
        == 0
    )
    code, out, _ = cli(
        "routers", "add", "--site", "sgt", "--name", "sgt-1", "--ip", "10.1.1.1",
        "--hotspot-address", "10.5.50.1",
    )  # fmt: skip
    assert code == 0
    secret_line = [line for line in out.splitlines() if line.startswith("RADIUS secret: ")]
    assert len(secret_line) == 1 and len(secret_line[0].split(": ")[1]) >= 16
    code, out, _ = cli(
        "routers",
        "add",
        "--site",
        "sgt",
        "--name",
        "sgt-2",
        "--ip",
        "10.1.1.2",
        "--hotspot-address",
        "login.desa-sgt",
        "--secret",
        "given-secret-0123456789",
    )
    assert code == 0 and "RADIUS secret" not in out and "given-secret" not in out
    # The hotspot address is checked and can be changed later, as on the page and the API.
    code, _, err = cli("routers", "set", "sgt-1", "--hotspot-address", "http://evil/")
    assert code != 0 and "not a hotspot IP address or DNS name" in err
    code, out, _ = cli("routers", "set", "sgt-1", "--hotspot-address", "Hotspot.SGT.")
    assert code == 0 and "router sgt-1 updated" in out
    code, out, _ = cli("routers", "list", "--site", "sgt")
    assert "hotspot.sgt" in out and "login.desa-sgt" in out
    code, out, _ = cli(
        "profiles",
        "add",
        "--name",
        "harian",
        "--rate-limit",
        "1M/2M",
        "--data-day",
        "1G",
        "--time-month",
        "100h",
        "--after-quota",
        "throttle",
        "--throttle-rate",
        "128k/256k",
        "--validity",
        "1d",
    )
    assert code == 0
    code, out, _ = cli("profiles", "list")
    assert "1 GB per day" in out and "4d4h per month" in out
    target = tmp_path / "batch.csv"
    code, out, _ = cli(
        "vouchers",
        "generate",
        "--site",
        "sgt",
        "--profile",
        "harian",
        "--count",
        "20",
        "--csv",
        str(target),
    )
    assert code == 0 and "20 vouchers" in out
    with target.open() as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 20 and len({r["code"] for r in rows}) == 20
    code, out, err = cli(
        "vouchers", "generate", "--site", "sgt", "--profile", "harian", "--count", "3"
    )
    assert code == 0 and len(out.split()) == 3 and "3 vouchers" in err
    code, out, _ = cli("sites", "list")
    assert "sgt" in out and "Asia/Makassar" in out


def test_sites_import_reports_bad_lines_and_imports_nothing(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "desa.csv"
    bad.write_text(
        "desa_code,desa_name,kecamatan_name\n64.03.05.2001,A,Loa Kulu\n64.99.05.2002,B,Loa Kulu\n"
    )
    code, _, err = cli("sites", "import", str(bad))
    _one_line_error(code, err, "line 3: unknown kabupaten/kota 64.99")
    assert "nothing imported" in err
    code, out, _ = cli("sites", "list")
    assert "64.03.05.2001" not in out
    bad.write_text("desa_code,desa_name,kecamatan_name\n64.03.05.2001,A,Loa Kulu\n")
    code, out, _ = cli("sites", "import", str(bad))
    assert code == 0 and "1 site(s) imported" in out


def test_admin_password_from_stdin_or_generated(cli) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = cli(
        "admins", "add", "prov", "--role", "province", "--password-stdin", stdin="rahasia-sekali\n"
    )
    assert code == 0 and "password:" not in out and "rahasia" not in out
    code, out, _ = cli("admins", "add", "kab", "--role", "kabupaten", "--region", "64.05")
    assert code == 0 and "password: " in out


def test_the_operator_lists_disables_resets_and_revokes_admins(cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("admins", "add", "kab", "--role", "kabupaten", "--region", "64.05")[0] == 0
    code, out, _ = cli("admins", "list")
    assert code == 0 and "kab" in out and "kabupaten" in out and "yes" in out
    assert cli("admins", "disable", "kab")[1] == "admin kab disabled\n"
    assert " no " in cli("admins", "list")[1]
    assert cli("admins", "enable", "kab")[0] == 0
    code, out, _ = cli("admins", "reset-password", "kab")
    assert code == 0 and out.startswith("password: ") and len(out.strip()) > 20
    assert cli("admins", "revoke", "kab")[1] == "0 sign-in(s) of kab ended\n"
    code, _, err = cli("admins", "disable", "nobody")
    assert code != 0 and err.count("\n") == 1 and "no admin named 'nobody'" in err


HOTSPOT = ("--hotspot-address", "10.5.50.1")


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (("sites", "import", "/nonexistent.csv"), "no such file"),
        (("vouchers", "generate", "--site", "nope", "--profile", "x", "--count", "1"), "no site"),
        (
            (
                "sites",
                "add",
                "--desa-code",
                "64.99.01.2001",
                "--desa-name",
                "X",
                "--kecamatan",
                "Y",
            ),
            "unknown kabupaten",
        ),
        (("sites", "add", "--desa-code", "1"), "required"),
        (("profiles", "add", "--name", "x", "--data-day", "lots"), "not a size"),
        (("profiles", "add", "--name", "x", "--after-quota", "throttle"), "throttle rate"),
        (
            ("routers", "add", "--site", "nope", "--name", "r", "--ip", "10.0.0.1", *HOTSPOT),
            "no site",
        ),
        (("admins", "add", "x", "--role", "desa"), "--site"),
        (("nosuchcommand",), "invalid choice"),
        (("db", "downgrade", "nosuchrevision"), "error"),
        (("--env-file", "/etc/wifidesa/env", "sites", "list"), "/etc/wifidesa/env does not exist"),
    ],
)
def test_errors_are_one_line_and_non_zero(cli, argv: tuple[str, ...], fragment: str) -> None:  # type: ignore[no-untyped-def]
    code, _, err = cli(*argv)
    _one_line_error(code, err, fragment)


def test_unreachable_database_is_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(
        "WIFIDESA_DATABASE_URL", "postgresql+psycopg://wifidesa:topsecretpw@127.0.0.1:1/wifidesa"
    )
    code = main(["sites", "list"])
    err = capsys.readouterr().err
    _one_line_error(code, err, "database error")
    assert "topsecretpw" not in err


def test_serve_refuses_the_placeholder_secret_in_production(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    db_url: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WIFIDESA_DATABASE_URL", db_url)
    monkeypatch.setenv("WIFIDESA_ENV", "production")
    monkeypatch.delenv("WIFIDESA_SECRET_KEY", raising=False)
    code = main(["serve"])
    _one_line_error(code, capsys.readouterr().err, "WIFIDESA_SECRET_KEY")


@pytest.mark.slow  # some thirty runs of the installed command, each importing the whole app
def test_installed_command_has_help_everywhere_and_fails_without_traceback(
    tmp_path: Path,
) -> None:
    exe = str(VENV_BIN / "wifidesa")
    env = {**os.environ, "WIFIDESA_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    for argv in (
        [],
        ["sites"],
        ["sites", "import"],
        ["routers", "add"],
        ["profiles", "add"],
        ["vouchers", "generate"],
        ["admins", "add"],
        ["db"],
        ["demo"],
        ["serve"],
        ["init"],
        ["web"],
        ["stats"],
        ["stats", "rollup"],
    ):
        result = subprocess.run(
            [exe, *argv, "--help"],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            check=False,
        )
        assert result.returncode == 0 and "usage:" in result.stdout, argv
    result = subprocess.run(
        [exe, "sites", "list"], capture_output=True, text=True, env=env, cwd=tmp_path, check=False
    )
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "wifidesa: error: the database has no schema yet; run 'wifidesa init'"
    ]


def test_sessions_list_and_disconnect(cli, db_url: str) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    from sqlalchemy import select

    from wifidesa.crypto import SecretBox
    from wifidesa.db.engine import make_engine, make_session_factory, transaction
    from wifidesa.db.models import AuditEntry
    from wifidesa.usage.accounting import record_accounting
    from wifidesa.usage.records import AcctEvent, AcctRecord

    assert cli("demo", "--vouchers", "1", "--no-usage")[0] == 0
    engine = make_engine(db_url)
    with transaction(make_session_factory(engine)) as session:
        record_accounting(
            session=session,
            box=SecretBox("k" * 40),
            now=datetime.now(UTC),
            records=[
                AcctRecord(
                    event=AcctEvent.START,
                    router_id=1,
                    site_id=1,
                    event_time=datetime.now(UTC),
                    username="tamu",
                    acct_session_id="81a00001",
                )
            ],
        )
    engine.dispose()
    code, out, _ = cli("sessions", "list")
    assert code == 0 and "81a00001" not in out and "demo-router" in out and "tamu" in out
    code, out, _ = cli("sessions", "disconnect", "1")
    assert code == 0 and "queued" in out
    code, _, err = cli("sessions", "disconnect", "1")
    _one_line_error(code, err, "on its way")
    code, out, _ = cli("sessions", "list")
    assert "disconnect: queued" in out
    code, _, err = cli("sessions", "disconnect", "999")
    _one_line_error(code, err, "not found")
    engine = make_engine(db_url)
    with make_session_factory(engine)() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "sessions.disconnect")
        ).all()
        assert [(e.actor, e.object_id) for e in entries] == [("cli", "1")]
    engine.dispose()


def test_vouchers_generate_takes_a_use_by_day(cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("demo", "--vouchers", "1")[0] == 0
    base = ("vouchers", "generate", "--site", "demo", "--profile", "harian-1gb", "--count", "2")
    code, out, err = cli(*base, "--use-by", "2999-12-31")
    assert code == 0 and len(out.split()) == 2 and "2 vouchers" in err
    code, _, err = cli(*base, "--use-by", "2020-01-01")
    _one_line_error(code, err, "the use-by date is already past")
    code, _, err = cli(*base, "--use-by", "31-12-2999")
    assert code == 2 and "must be a date like 2026-12-31" in err
