"""The RouterOS API wire format: a word is a length prefix and its bytes, a sentence is words
ended by an empty word. The prefix takes 1 to 5 bytes, its high bits telling how many:

    0xxxxxxx                              lengths below 0x80
    10xxxxxx xxxxxxxx                     below 0x4000
    110xxxxx + 2 bytes                    below 0x200000
    1110xxxx + 3 bytes                    below 0x10000000
    11110000 + 4 bytes                    below 2**32

(0xF8 and above are control bytes RouterOS reserves; none is valid as a length.)"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

MAX_WORD = 2**32 - 1

# (lengths below this bound, the prefix's marker bits) for 1, 2, 3 and 4 byte prefixes.
_CLASSES = ((0x80, 0x00), (0x4000, 0x8000), (0x200000, 0xC00000), (0x10000000, 0xE0000000))


class WireError(Exception):
    """Bytes that are no RouterOS API word (a reserved control byte, a word too long)."""


def encode_length(length: int) -> bytes:
    """The length prefix of a word of `length` bytes."""
    if length < 0 or length > MAX_WORD:
        raise WireError(f"word length {length} out of range")
    for size, (bound, marker) in enumerate(_CLASSES, start=1):
        if length < bound:
            return (length | marker).to_bytes(size, "big")
    return b"\xf0" + length.to_bytes(4, "big")


def prefix_size(first: int) -> int:
    """How many bytes a length prefix takes, from its first byte."""
    if first < 0x80:
        return 1
    if first < 0xC0:
        return 2
    if first < 0xE0:
        return 3
    if first < 0xF0:
        return 4
    if first == 0xF0:
        return 5
    raise WireError(f"reserved control byte {first:#04x}")


def decode_length(prefix: bytes) -> int:
    """The length a complete prefix (as many bytes as `prefix_size` said) encodes."""
    size = prefix_size(prefix[0])
    if len(prefix) != size:
        raise WireError("incomplete length prefix")
    if size == 5:
        return int.from_bytes(prefix[1:], "big")
    value = int.from_bytes(prefix, "big")
    return value & ~(_CLASSES[size - 1][1])


def encode_word(word: bytes) -> bytes:
    return encode_length(len(word)) + word


def encode_sentence(words: Iterable[bytes]) -> bytes:
    """Words and the empty word that ends the sentence."""
    return b"".join(encode_word(word) for word in words) + b"\x00"


async def read_word(reader: asyncio.StreamReader, *, limit: int) -> bytes:
    """One word; `asyncio.IncompleteReadError` when the peer closes in the middle."""
    first = await reader.readexactly(1)
    size = prefix_size(first[0])
    prefix = first + (await reader.readexactly(size - 1) if size > 1 else b"")
    length = decode_length(prefix)
    if length > limit:
        # A client that announces gigabytes must not make us buffer them.
        raise WireError(f"word of {length} bytes over the limit of {limit}")
    return await reader.readexactly(length) if length else b""


async def read_sentence(reader: asyncio.StreamReader, *, limit: int) -> list[bytes]:
    """The words of one sentence, without its closing empty word."""
    words: list[bytes] = []
    while word := await read_word(reader, limit=limit):
        words.append(word)
    return words
