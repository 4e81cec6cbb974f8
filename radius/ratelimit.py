"""Logging a recurring problem without flooding the log: a router with the wrong secret sends
every few seconds, spoofed sources send from thousands of addresses, and while the database is
down every batch fails. The log grows with time, never with the size of the fault."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

Clock = Callable[[], float]


class RateLimitedLog:
    """Log a recurring problem once a minute per source, with how often it happened.

    Bounded twice: at most `max_lines` lines per interval in all (a flood from many sources
    gives one summary line for the rest), and at most `max_sources` sources remembered (spoofed
    source addresses are unlimited; a source past the bound is counted in the summary)."""

    def __init__(
        self,
        interval: float = 60.0,
        *,
        max_sources: int = 1024,
        max_lines: int = 20,
        clock: Clock = time.monotonic,
    ) -> None:
        self.interval, self.max_sources, self.max_lines = interval, max_sources, max_lines
        self.clock = clock
        self._last: dict[str, tuple[float, int]] = {}
        self._window = clock()
        self._lines = 0
        self._overflow = 0  # reports left out of the log in this window
        self._examples: list[str] = []  # a few of their sources, for the summary

    def __len__(self) -> int:
        return len(self._last)

    def warning(self, source: str, message: str, *args: object) -> None:
        now = self.clock()
        self._roll(now)
        entry = self._last.get(source)
        if entry is not None and now - entry[0] < self.interval:
            self._last[source] = (entry[0], entry[1] + 1)
            return
        if self._lines >= self.max_lines or (
            entry is None and len(self._last) >= self.max_sources and not self._prune(now)
        ):
            self._overflow += 1
            if len(self._examples) < 3 and source not in self._examples:
                self._examples.append(source)
            return
        self._lines += 1
        suppressed = entry[1] if entry else 0
        self._last[source] = (now, 0)
        extra = f" ({suppressed} more since last report)" if suppressed else ""
        log.warning("[%s] %s%s", source, message % args, extra)

    def flush(self) -> None:
        """Write the summary of a window that has ended (housekeeping calls this)."""
        self._roll(self.clock())

    def _roll(self, now: float) -> None:
        if now - self._window < self.interval:
            return
        if self._overflow:
            log.warning(
                "%d more reports of dropped packets left out of the log in the last %d s "
                "(from %s, ...)",
                self._overflow,
                int(now - self._window),
                ", ".join(self._examples) or "sources reported before",
            )
        self._window, self._lines, self._overflow, self._examples = now, 0, 0, []

    def _prune(self, now: float) -> bool:
        """Forget sources not reported for a whole interval (their counts go to the summary);
        True if that made room."""
        quiet = [s for s, (last, _) in self._last.items() if now - last >= self.interval]
        for source in quiet:
            self._overflow += self._last.pop(source)[1]  # their suppressed reports
        return len(self._last) < self.max_sources


class RepeatedError:
    """One ERROR line when a failure starts, then one summary per interval while it lasts, and
    one line when it ends: a database outage of five seconds is three lines, not 700."""

    def __init__(
        self,
        what: str,
        interval: float = 10.0,
        *,
        logger: logging.Logger = log,
        clock: Clock = time.monotonic,
    ) -> None:
        self.what, self.interval, self.clock, self.log = what, interval, clock, logger
        self._since: float | None = None  # the last line written while failing
        self._count = 0  # failures since that line
        self._items = 0
        self._last = ""

    def failed(self, items: int, reason: str) -> None:
        """`items` requests went unanswered (0: a check that answers no one)."""
        now = self.clock()
        if self._since is None:
            self._since = now
            if items:
                self.log.error("%s of %d failed, not answered: %s", self.what, items, reason)
            else:
                self.log.error("%s failed: %s", self.what, reason)
            return
        self._count, self._items, self._last = self._count + 1, self._items + items, reason
        if now - self._since >= self.interval:
            self._report(now)
            self._since = now

    def succeeded(self) -> None:
        if self._since is None:
            return
        if self._count:
            self._report(self.clock())
        self.log.warning("%s: working again", self.what)
        self._since = None

    def _report(self, now: float) -> None:
        unanswered = f", {self._items} requests not answered" if self._items else ""
        self.log.error(
            "%s: %d more failures in the last %d s%s; last: %s",
            self.what,
            self._count,
            int(now - (self._since or now)),
            unanswered,
            self._last,
        )
        self._count, self._items = 0, 0
