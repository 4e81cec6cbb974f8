"""The fuzzer's byte-level breakage: every kind comes up, each breaks what it says, and a seed
gives the same bytes again."""

from __future__ import annotations

import random

from radius.dictionary import Code
from radius.simulator.fuzz_bytes import break_bytes
from radius.simulator.fuzz_wire import attr, encode, sign

VALID = sign(
    encode(Code.ACCOUNTING_REQUEST, 7, bytes(16), [attr(44, b"fz000001"), attr(1, b"user")]),
    b"secret",
)


def test_every_kind_breaks_the_datagram_as_it_says() -> None:
    r = random.Random(5)
    seen: dict[str, list[bytes]] = {}
    for _ in range(2000):
        kind, data = break_bytes(r, VALID)
        seen.setdefault(kind, []).append(data)
    assert set(seen) == {
        "truncate",
        "truncate-fixed-length",
        "header-length",
        "attribute-length",
        "flip",
        "trailing-garbage",
        "oversize",
        "wrong-code",
        "random",
    }
    assert all(len(d) < len(VALID) for d in seen["truncate"])
    assert all(int.from_bytes(d[2:4]) == len(d) for d in seen["truncate-fixed-length"])
    assert all(d.startswith(VALID) and len(d) > len(VALID) for d in seen["trailing-garbage"])
    assert all(len(d) > 4096 for d in seen["oversize"])
    assert all(d[1:] == VALID[1:] for d in seen["wrong-code"])  # the code byte alone


def test_a_seed_gives_the_same_bytes_again() -> None:
    first = [break_bytes(random.Random(11), VALID) for _ in range(3)]
    again = [break_bytes(random.Random(11), VALID) for _ in range(3)]
    assert first == again
