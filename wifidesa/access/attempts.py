"""Throttling failed logins at the portal, per device and per address.

Five failures within ten minutes block that device or address for the rest of the window.
Kept in memory: a restart forgets, which only ever errs towards letting villagers in.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta

MAX_FAILURES = 5
WINDOW = timedelta(minutes=10)


class AttemptLimiter:
    def __init__(self, max_failures: int = MAX_FAILURES, window: timedelta = WINDOW) -> None:
        self.max_failures = max_failures
        self.window = window
        self._failures: dict[str, deque[datetime]] = {}

    def _recent(self, key: str, now: datetime) -> deque[datetime]:
        failures = self._failures.setdefault(key, deque())
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        if not failures:
            del self._failures[key]
            return deque()
        return failures

    def blocked_until(self, keys: list[str], now: datetime) -> datetime | None:
        """When the first of these keys may try again, if any of them is blocked now."""
        until = [
            self._recent(k, now)[0] + self.window
            for k in keys
            if len(self._recent(k, now)) >= self.max_failures
        ]
        return max(until) if until else None

    def failed(self, keys: list[str], now: datetime) -> None:
        for key in keys:
            self._failures.setdefault(key, deque()).append(now)
        if len(self._failures) > 100_000:  # bounded memory under a scan
            for stale in [k for k in self._failures if not self._recent(k, now)]:
                self._failures.pop(stale, None)

    def succeeded(self, keys: list[str]) -> None:
        for key in keys:
            self._failures.pop(key, None)
