"""The fuzzer's byte-level breakage (radius.simulator.fuzz, families `raw` and `resigned`): a
valid, signed request truncated, its header or an attribute length changed, bytes flipped,
garbage appended, made oversize, given a wrong code, or replaced by random bytes."""

from __future__ import annotations

import random

from radius.simulator.fuzz_wire import attr


def break_bytes(r: random.Random, valid: bytes) -> tuple[str, bytes]:
    """(the kind of breakage, the broken datagram), drawn from `r`."""
    data = bytearray(valid)
    kind = r.choice(
        (
            "truncate",
            "truncate-fixed-length",
            "header-length",
            "attribute-length",
            "flip",
            "flip",
            "trailing-garbage",
            "oversize",
            "wrong-code",
            "random",
        )
    )
    if kind == "truncate":
        data = data[: r.randrange(len(data))]
    elif kind == "truncate-fixed-length":
        data = data[: r.randrange(20, len(data))]
        data[2:4] = len(data).to_bytes(2)
    elif kind == "header-length":
        data[2:4] = r.choice(
            (0, 1, 19, 20, len(data) - 1, len(data) + 1, 4096, 8193, 65535)
        ).to_bytes(2)
    elif kind == "attribute-length":
        starts, pos = [], 20
        while pos < len(data):
            starts.append(pos)
            pos += max(2, data[pos + 1]) if pos + 1 < len(data) else 2
        at = r.choice(starts)
        if at + 1 < len(data):
            data[at + 1] = r.choice((0, 1, 2, 3, 255, r.randrange(256)))
    elif kind == "flip":
        for _ in range(r.randrange(1, 9)):
            data[r.randrange(len(data))] = r.randrange(256)
    elif kind == "trailing-garbage":
        data += r.randbytes(r.randrange(1, 200))
    elif kind == "oversize":
        extra = b"".join(
            attr(r.choice((33, 18, 100)), r.randbytes(253)) for _ in range(r.randrange(16, 40))
        )
        data += extra
        if r.random() < 0.7:
            data[2:4] = min(len(data), 65535).to_bytes(2)
    elif kind == "wrong-code":
        data[0] = r.choice((0, 2, 3, 4, 5, 11, 12, 13, 40, 41, 43, 44, 255))
    else:
        data = bytearray(r.randbytes(r.randrange(0, 300)))
    return kind, bytes(data)
