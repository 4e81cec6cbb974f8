"""Axis steps fall on round numbers of the value's unit; values read as the app writes them."""

from __future__ import annotations

import pytest

from portal.stats.charts.scale import ticks, value_text
from wifidesa.stats.sheets import Kind

GB = 1024**3


def test_byte_axes_step_in_whole_units() -> None:
    assert ticks(3.2 * GB, Kind.OCTETS) == [0, GB, 2 * GB, 3 * GB, 4 * GB]
    assert [value_text(t, Kind.OCTETS, "id") for t in ticks(10**15, Kind.OCTETS)] == [
        "0 B", "500 TB", "1000 TB",
    ]  # fmt: skip


def test_duration_axes_step_in_round_times() -> None:
    labels = [value_text(t, Kind.SECONDS, "en") for t in ticks(10 * 3600, Kind.SECONDS)]
    assert labels == ["0s", "3h", "6h", "9h", "12h"]
    assert ticks(40, Kind.SECONDS) == [0, 10, 20, 30, 40]
    assert ticks(30 * 86_400, Kind.SECONDS)[1] == 10 * 86_400


def test_count_axes_step_by_whole_numbers() -> None:
    assert ticks(3, Kind.INTEGER) == [0, 1, 2, 3]
    assert ticks(1, Kind.INTEGER) == [0, 1]
    assert ticks(97, Kind.INTEGER) == [0, 50, 100]


def test_an_empty_axis_still_has_a_scale() -> None:
    assert ticks(0, Kind.INTEGER) == [0, 1]
    assert ticks(0, Kind.PERCENT) == [0, 0.25, 0.5, 0.75, 1]


def test_text_has_no_axis() -> None:
    with pytest.raises(ValueError, match="not a number kind"):
        ticks(1, Kind.TEXT)


@pytest.mark.parametrize(
    ("value", "kind", "bahasa", "english"),
    [
        (1_234_567, Kind.INTEGER, "1.234.567", "1,234,567"),
        (1.5 * GB, Kind.OCTETS, "1.5 GB", "1.5 GB"),
        (5400, Kind.SECONDS, "1h30m", "1h30m"),
        (0.255, Kind.PERCENT, "25,5%", "25.5%"),
    ],
)
def test_values_read_as_the_app_writes_them(
    value: float, kind: Kind, bahasa: str, english: str
) -> None:
    assert value_text(value, kind, "id") == bahasa
    assert value_text(value, kind, "en") == english
