from __future__ import annotations

import pytest

from controllers.double.state import format_uptime
from controllers.values import parse_int, parse_uptime, uptime_or_none


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("1w2d03:04:05", 9 * 86400 + 3 * 3600 + 4 * 60 + 5),
        ("03:04:05", 3 * 3600 + 4 * 60 + 5),
        ("5d00:00:01", 5 * 86400 + 1),
        ("00:00:00", 0),
        ("1w2d3h4m5s", 9 * 86400 + 3 * 3600 + 4 * 60 + 5),
        ("4m5s", 245),
        ("59s", 59),
        ("1s250ms", 1),
        ("2w", 14 * 86400),
    ],
)
def test_routeros_uptimes_parse_to_seconds(text: str, seconds: int) -> None:
    assert parse_uptime(text) == seconds


@pytest.mark.parametrize("text", ["", "soon", "1x", "3:4", "-1s"])
def test_anything_else_is_no_uptime(text: str) -> None:
    with pytest.raises(ValueError, match="not a RouterOS duration"):
        parse_uptime(text)


@pytest.mark.parametrize("seconds", [0, 61, 86399, 86400, 694861, 31_536_000])
def test_the_doubles_uptime_reads_back(seconds: int) -> None:
    assert parse_uptime(format_uptime(seconds)) == seconds


def test_figures_that_are_no_number_are_none() -> None:
    assert parse_int(b"188743680") == 188743680
    assert parse_int(None) is None
    assert parse_int(b"auto") is None
    assert parse_int(b"9" * 5000) is None  # Python refuses to read that many digits


def test_an_uptime_written_oddly_is_a_missing_figure_not_a_failed_poll() -> None:
    assert uptime_or_none("3d 4h (since boot)") is None
    assert uptime_or_none("") is None
    assert uptime_or_none("1w2d03:04:05") == 788_645
