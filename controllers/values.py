"""RouterOS's way of writing values, read into Python ones."""

from __future__ import annotations

import logging
import re

logger = logging.getLogger(__name__)

# RouterOS 6 and 7 write uptime as `1w2d03:04:05`; some 7.x builds and other menus write
# `1w2d3h4m5s` (with `ms` below a second). Both are accepted.
_CLOCK = re.compile(r"^(?:(\d+)w)?(?:(\d+)d)?(\d+):(\d\d):(\d\d)(?:\.\d+)?$")
_UNITS = re.compile(r"^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$")


def parse_uptime(text: str) -> int:
    """Whole seconds of a RouterOS duration; ValueError if it is none."""
    text = text.strip()
    match = _CLOCK.match(text) or _UNITS.match(text)
    if not text or match is None:
        raise ValueError(f"not a RouterOS duration: {text!r}")
    weeks, days, hours, minutes, seconds = (int(part or 0) for part in match.groups()[:5])
    return (((weeks * 7 + days) * 24 + hours) * 60 + minutes) * 60 + seconds


def parse_int(value: bytes | str | None) -> int | None:
    """A counter or figure; None when the router left it out or wrote something else."""
    if value is None:
        return None
    text = (value.decode("ascii", "replace") if isinstance(value, bytes) else value).strip()
    # At most 20 digits: a 64-bit counter; Python refuses to read thousands of digits.
    return int(text) if text.isdigit() and len(text) <= 20 else None


def text(value: bytes | None) -> str | None:
    return None if value is None else value.decode("utf-8", "replace")


def uptime_or_none(value: str | None) -> int | None:
    """The uptime if this RouterOS wrote it in a form we read; an odd value is a missing
    figure, never a failed poll (that would make an answering router look down)."""
    if not value:
        return None
    try:
        return parse_uptime(value[:64])
    except ValueError:
        logger.warning("an uptime written as %r could not be read", value[:64])
        return None
