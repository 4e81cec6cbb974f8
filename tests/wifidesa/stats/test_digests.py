"""Device digests: 63 bits (a signed BIGINT), stable, stored sorted and without repeats."""

from __future__ import annotations

from wifidesa.stats.digests import digest, pack, unpack


def test_digests_are_stable_and_fit_a_signed_bigint() -> None:
    values = [digest(f"{n:032x}") for n in range(1_000)]
    assert all(0 <= value < 2**63 for value in values)
    assert len(set(values)) == 1_000
    assert digest("00ff" * 8) == digest("00ff" * 8)
    assert max(values) > 2**62  # the top bit is used


def test_packed_digests_come_back_sorted_once_each() -> None:
    values = [5, 2**63 - 1, 0, 5, 77]
    blob = pack(values)
    assert len(blob) == 8 * 4
    assert list(unpack(blob)) == [0, 5, 77, 2**63 - 1]
    assert list(unpack(None)) == list(unpack(pack([]))) == []
