from __future__ import annotations

import pytest

from controllers.double.state import RouterState, format_uptime


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "00:00:00"),
        (59, "00:00:59"),
        (3600 + 62, "01:01:02"),
        (86400, "1d00:00:00"),
        (7 * 86400 + 2 * 86400 + 3 * 3600 + 4 * 60 + 5, "1w2d03:04:05"),
        (14 * 86400, "2w00:00:00"),
    ],
)
def test_uptime_is_written_as_routeros_writes_it(seconds: int, text: str) -> None:
    assert format_uptime(seconds) == text


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_counters_grow_and_a_reboot_sets_uptime_and_counters_back() -> None:
    clock = _Clock()
    state = RouterState(clock=clock, uptime_at_start=500)
    wan = state.interfaces[0]
    before = state.counters(wan)
    clock.now += 10
    after = state.counters(wan)
    assert after[0] == before[0] + 10 * wan.rx_rate
    assert state.uptime_seconds() == 510
    state.add_active(user="u", mac_address="AA:00:00:00:00:01", address="10.0.0.1")
    state.reboot()
    assert state.uptime_seconds() == 0
    assert state.counters(wan) == (0, 0)
    assert state.active == []
    assert state.reboots == 1
