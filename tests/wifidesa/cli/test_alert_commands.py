"""`wifidesa alerts`: the operator gives admins channels, lists, disables and removes them;
a webhook's token is never printed; errors are one line and a non-zero exit."""

from __future__ import annotations

import pytest

from wifidesa.cli.main import main

TOKENED = "https://hooks.example.org/services/s3cr3t-t0ken"


@pytest.fixture
def cli(cli_env: None, monkeypatch: pytest.MonkeyPatch, capsys):  # type: ignore[no-untyped-def]

    def run(*argv: str, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr("sys.stdin", __import__("io").StringIO(stdin))
        try:
            code = main(list(argv))
        except SystemExit as exc:
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_the_operator_manages_an_admins_channels(cli) -> None:  # type: ignore[no-untyped-def]
    code, _, err = cli("admins", "add", "kab-kukar", "--role", "kabupaten", "--region", "64.03")
    assert code == 0, err
    code, out, _ = cli("alerts", "add", "kab-kukar", "webhook", TOKENED)
    assert (
        code == 0 and out == "channel 1 added: webhook https://hooks.example.org/… for kab-kukar\n"
    )
    code, out, _ = cli("alerts", "add", "kab-kukar", "email", "kab@kukarkab.go.id")
    assert code == 0
    code, out, _ = cli("alerts", "disable", "2")
    assert (code, out) == (0, "channel 2 disabled\n")
    code, out, _ = cli("alerts", "list")
    assert code == 0
    assert [line.split() for line in out.splitlines()] == [
        ["ID", "ADMIN", "KIND", "ADDRESS", "ENABLED"],
        ["1", "kab-kukar", "webhook", "https://hooks.example.org/…", "yes"],
        ["2", "kab-kukar", "email", "kab@kukarkab.go.id", "no"],
    ]
    assert "s3cr3t" not in out
    code, out, _ = cli("alerts", "remove", "1")
    assert (code, out) == (0, "channel 1 removed\n")
    code, out, _ = cli("alerts", "list", "kab-kukar")
    assert [line.split()[0] for line in out.splitlines()] == ["ID", "2"]


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (("alerts", "add", "nobody", "email", "a@example.org"), "no admin named 'nobody'"),
        (("alerts", "remove", "99"), "no notification channel 99"),
        (("alerts", "add", "x", "sms", "1"), "invalid choice"),
    ],
)
def test_alerts_errors_are_one_line_and_fail(cli, argv: tuple[str, ...], fragment: str) -> None:  # type: ignore[no-untyped-def]
    code, _, err = cli(*argv)
    assert code != 0
    assert len(err.strip().splitlines()) == 1 and fragment in err, err


def test_a_bad_webhook_is_refused_without_printing_its_token(cli) -> None:  # type: ignore[no-untyped-def]
    cli("admins", "add", "prov", "--role", "province")
    code, out, err = cli(
        "alerts", "add", "prov", "webhook", "http://hooks.example.org/s3cr3t-t0ken"
    )
    assert code != 0 and out == ""
    assert "must use https" in err and "s3cr3t" not in err
