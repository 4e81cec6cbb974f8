from __future__ import annotations

import asyncio

import pytest
import routeros_api.base_api

from controllers.double.wire import (
    WireError,
    decode_length,
    encode_length,
    encode_sentence,
    prefix_size,
    read_sentence,
)

# The edges of every length class: the largest length of one class and the smallest of the next.
CLASSES = [
    (0, b"\x00"),
    (0x7F, b"\x7f"),
    (0x80, b"\x80\x80"),
    (0x3FFF, b"\xbf\xff"),
    (0x4000, b"\xc0\x40\x00"),
    (0x1FFFFF, b"\xdf\xff\xff"),
    (0x200000, b"\xe0\x20\x00\x00"),
    (0xFFFFFFF, b"\xef\xff\xff\xff"),
    (0x10000000, b"\xf0\x10\x00\x00\x00"),
    (0xFFFFFFFF, b"\xf0\xff\xff\xff\xff"),
]


@pytest.mark.parametrize(("length", "prefix"), CLASSES)
def test_each_length_class_encodes_and_decodes(length: int, prefix: bytes) -> None:
    assert encode_length(length) == prefix
    assert prefix_size(prefix[0]) == len(prefix)
    assert decode_length(prefix) == length


@pytest.mark.parametrize(("length", "prefix"), CLASSES)
def test_prefixes_agree_with_routeros_api(length: int, prefix: bytes) -> None:
    # The library the poller uses reads and writes the same bytes.
    assert routeros_api.base_api.encode_length(length) == prefix
    rest = iter(prefix)
    assert routeros_api.base_api.decode_length(lambda _n: bytes([next(rest)])) == length


@pytest.mark.parametrize("first", [0xF8, 0xFF])
def test_reserved_control_bytes_are_no_length(first: int) -> None:
    with pytest.raises(WireError):
        prefix_size(first)


def test_lengths_past_four_bytes_of_count_are_refused() -> None:
    with pytest.raises(WireError):
        encode_length(2**32)


def test_a_sentence_with_long_words_reads_back() -> None:
    words = [b"/file/set", b"=contents=" + b"x" * 70_000, b"=.id=*1", b".tag=7"]

    async def roundtrip() -> list[bytes]:
        reader = asyncio.StreamReader()
        reader.feed_data(encode_sentence(words))
        reader.feed_eof()
        return await read_sentence(reader, limit=1 << 20)

    assert asyncio.run(roundtrip()) == words


def test_a_word_over_the_limit_is_refused_before_it_is_read() -> None:
    async def oversized() -> None:
        reader = asyncio.StreamReader()
        reader.feed_data(encode_length(0x10000000))
        await read_sentence(reader, limit=1 << 20)

    with pytest.raises(WireError):
        asyncio.run(oversized())
