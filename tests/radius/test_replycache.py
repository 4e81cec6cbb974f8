from __future__ import annotations

from types import SimpleNamespace

import pytest

from radius import replycache
from radius.replycache import PENDING, ReplyCache


def test_pending_then_answered_then_forgotten_after_ttl(monkeypatch: pytest.MonkeyPatch) -> None:
    # The cache's own clock, moved by hand: a busy machine cannot age an entry early.
    now = [1000.0]
    monkeypatch.setattr(replycache, "time", SimpleNamespace(monotonic=lambda: now[0]))
    cache = ReplyCache(ttl=0.05)
    key = ReplyCache.key(b"\x01\x07\x00\x14" + b"a" * 16, ("127.0.0.1", 1))
    assert cache.lookup(key) is None
    cache.begin(key)
    assert cache.lookup(key) is PENDING
    cache.finish(key, b"reply")
    now[0] += 0.04
    assert cache.lookup(key) == b"reply"
    now[0] += 0.02
    assert cache.lookup(key) is None


def test_forget_lets_a_retransmission_be_decided_again() -> None:
    cache = ReplyCache()
    key = ("127.0.0.1", 1, 7, b"a" * 16)
    cache.begin(key)
    cache.forget(key)
    assert cache.lookup(key) is None


def test_size_is_bounded_oldest_first() -> None:
    cache = ReplyCache(max_entries=3)
    for i in range(5):
        cache.finish(("127.0.0.1", i, 1, b"x" * 16), b"r")
    assert len(cache) == 3
    assert cache.lookup(("127.0.0.1", 0, 1, b"x" * 16)) is None
    assert cache.lookup(("127.0.0.1", 4, 1, b"x" * 16)) == b"r"
