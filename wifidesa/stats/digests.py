"""Devices as 63-bit digests of their keyed hash (never a MAC), stored per site-day as a
sorted packed array: the exact set of a day's devices in 8 bytes each, from which distinct
counts over any period and HyperLogLog sketches (wifidesa.stats.hll) are computed.

63 bits, not 64, so a digest fits a signed BIGINT on both databases. Two devices share a
digest with probability about n^2 / 2^64: for a province's ~10^6 devices a year, 5 * 10^-8.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Iterable
from hashlib import blake2b

DIGEST_BITS = 63


def digest(device_hash: str) -> int:
    """A device's digest: uniform bits whatever the hash looks like (hashed again, since a
    test's or a future scheme's hash need not be uniform in its leading characters)."""
    raw = blake2b(device_hash.encode(), digest_size=8).digest()
    return int.from_bytes(raw, "big") >> (64 - DIGEST_BITS)


def pack(digests: Iterable[int]) -> bytes:
    """Digests as a blob: sorted, without repeats, 8 bytes each, little-endian."""
    values = array("q", sorted(set(digests)))
    if sys.byteorder == "big":
        values.byteswap()
    return values.tobytes()


def unpack(blob: bytes | None) -> array[int]:
    """The digests of a blob from `pack` (None, a row computed before digests: none)."""
    values = array("q")
    if blob:
        values.frombytes(blob)
        if sys.byteorder == "big":
            values.byteswap()
    return values
