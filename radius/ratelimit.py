"""Logging a recurring problem (a router with the wrong secret sends every few seconds) without
flooding the log."""

from __future__ import annotations

import logging
import time

log = logging.getLogger(__name__)


class RateLimitedLog:
    """Log a recurring problem once a minute per source, with how often it happened."""

    def __init__(self, interval: float = 60.0) -> None:
        self.interval = interval
        self._last: dict[str, tuple[float, int]] = {}

    def warning(self, source: str, message: str, *args: object) -> None:
        now = time.monotonic()
        last, suppressed = self._last.get(source, (0.0, 0))
        if now - last < self.interval:
            self._last[source] = (last, suppressed + 1)
            return
        self._last[source] = (now, 0)
        extra = f" ({suppressed} more since last report)" if suppressed else ""
        log.warning("[%s] %s%s", source, message % args, extra)
