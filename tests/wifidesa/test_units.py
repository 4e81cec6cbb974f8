import pytest

from wifidesa.errors import InvalidInput
from wifidesa.units import (
    check_rate_limit,
    format_duration,
    format_size,
    parse_duration,
    parse_size,
)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1024", 1024),
        ("500M", 500 * 1024**2),
        ("1.5G", 1536 * 1024**2),
        ("2GB", 2 * 1024**3),
        ("1 gib", 1024**3),
        ("10k", 10240),
    ],
)
def test_sizes(text: str, value: int) -> None:
    assert parse_size(text) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("90", 90),
        ("30m", 1800),
        ("1h30m", 5400),
        ("7d", 604800),
        ("2w", 1209600),
    ],
)
def test_durations(text: str, value: int) -> None:
    assert parse_duration(text) == value


@pytest.mark.parametrize("text", ["", "abc", "-1G", "0", "1x"])
def test_bad_sizes(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_size(text)


@pytest.mark.parametrize("text", ["", "1y", "0", "1h x", "m"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_duration(text)


@pytest.mark.parametrize("text", ["1M/2M", "512k/1M", "2M", "1M/2M 2M/4M 1M/2M 10/10 8"])
def test_rate_limits(text: str) -> None:
    assert check_rate_limit(text) == text


@pytest.mark.parametrize("text", ["fast", "1M/", "1G/2G", "1M/2M;rm"])
def test_bad_rate_limits(text: str) -> None:
    with pytest.raises(InvalidInput):
        check_rate_limit(text)


def test_formatting() -> None:
    assert format_size(1024**3) == "1 GB"
    assert format_size(1536 * 1024**2) == "1.5 GB"
    assert format_duration(5400) == "1h30m"
