"""Answers to recent requests, so a retransmission gets the same answer, never a new decision.

A router retransmits after about a second with the same source, Identifier and Request
Authenticator. While the first copy is still being decided, copies are dropped; once it is
answered, copies get the stored reply.
"""

from __future__ import annotations

import time
from collections import OrderedDict

Key = tuple[str, int, int, bytes]  # source address, port, Identifier, Request Authenticator
PENDING = b""


class ReplyCache:
    def __init__(self, ttl: float = 30.0, max_entries: int = 200_000) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries: OrderedDict[Key, tuple[float, bytes]] = OrderedDict()

    @staticmethod
    def key(data: bytes, addr: tuple[str, int]) -> Key:
        return (addr[0], addr[1], data[1], data[4:20])

    def lookup(self, key: Key) -> bytes | None:
        """The stored reply, PENDING while the first copy is in progress, or None if new."""
        entry = self._entries.get(key)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def begin(self, key: Key) -> None:
        self._store(key, PENDING)

    def finish(self, key: Key, reply: bytes) -> None:
        self._store(key, reply)

    def forget(self, key: Key) -> None:
        """The request got no answer (database down): let its retransmission try again."""
        self._entries.pop(key, None)

    def _store(self, key: Key, value: bytes) -> None:
        self._entries[key] = (time.monotonic() + self.ttl, value)
        self._entries.move_to_end(key)
        self.expire()

    def expire(self) -> None:
        now = time.monotonic()
        entries = self._entries
        while entries:
            key, (deadline, _) = next(iter(entries.items()))
            if deadline >= now and len(entries) <= self.max_entries:
                break
            del entries[key]

    def __len__(self) -> int:
        return len(self._entries)
