"""The time a service goes by: the system's, or in development a clock that tests move.

Quotas reset at 00:00 WITA, vouchers expire, sessions go silent: a test of the real RADIUS
service over such moments must not wait for them. With `WIFIDESA_CLOCK_FILE` (honoured only
when WIFIDESA_ENV=development, refused elsewhere) the service adds the number of seconds
written in that file to the real time, read again whenever the file changes: write `86400`
and the service lives tomorrow, and its time keeps flowing from there. A missing file is 0.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from wifidesa.settings import Settings, check_clock_file

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


class FileClock:
    """Real time shifted by the seconds written in a file (see the module's docstring)."""

    def __init__(self, path: Path, *, real: Clock = system_clock) -> None:
        self.path = path
        self._real = real
        # (what identifies the file's version, its offset): one tuple, so the event loop and
        # the database thread each read a consistent pair without a lock.
        self._seen: tuple[tuple[int, int, int] | None, float] = (None, 0.0)

    def __call__(self) -> datetime:
        return self._real() + timedelta(seconds=self.offset())

    def offset(self) -> float:
        """The seconds added to the real time now."""
        try:
            stat = os.stat(self.path)
        except FileNotFoundError:
            self._seen = (None, 0.0)
            return 0.0
        # A new file (written beside and renamed over, as set_offset does) has a new inode,
        # so two changes within one tick of the file system's clock are not missed.
        version = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        seen, offset = self._seen
        if version != seen:
            text = self.path.read_text(encoding="utf-8", errors="replace").strip()
            try:
                offset = float(text or 0)
            except ValueError:
                log.warning("%s holds no number of seconds; the clock stays as it was", self.path)
            self._seen = (version, offset)
        return offset


def set_offset(path: Path, seconds: float) -> None:
    """Move a FileClock: write the offset beside `path` and rename it over, so a reader sees
    the old offset or the new one, never half a number."""
    part = path.with_name(f".{path.name}.new")
    part.write_text(f"{seconds:.6f}\n", encoding="utf-8")
    os.replace(part, path)


def set_time(path: Path, moment: datetime, *, real: Clock = system_clock) -> None:
    """Move a FileClock so that it reads `moment` now (and runs on from there)."""
    set_offset(path, (moment - real()).total_seconds())


def make_clock(settings: Settings) -> Clock:
    """The clock a service goes by: the system's, or WIFIDESA_CLOCK_FILE's in development."""
    check_clock_file(settings)
    if settings.clock_file is None:
        return system_clock
    return FileClock(settings.clock_file)
