"""Parsing and formatting of sizes, durations and MikroTik rate limits as people write them."""

from __future__ import annotations

import re

from wifidesa.errors import ErrorCode, InvalidInput

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$", re.IGNORECASE)
_SIZE_FACTORS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}
_DURATION_PART = re.compile(r"(\d+)\s*([wdhms])", re.IGNORECASE)
_DURATION_FACTORS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}
# Mikrotik-Rate-Limit: rx[/tx] [rx-burst[/tx-burst] [thresholds [times [priority [min]]]]]
_RATE = r"\d+[kKM]?"
_RATE_LIMIT = re.compile(rf"^{_RATE}(/{_RATE})?(\s+\S+){{0,5}}$")


def parse_size(text: str) -> int:
    """Bytes from '500M', '1.5G', '2GB', '1024' (binary multiples)."""
    match = _SIZE.match(text)
    if not match:
        raise InvalidInput(ErrorCode.NOT_A_SIZE, text=text)
    value = float(match.group(1)) * _SIZE_FACTORS[match.group(2).lower()]
    if value <= 0:
        raise InvalidInput(ErrorCode.SIZE_NOT_POSITIVE, text=text)
    return int(value)


def parse_duration(text: str) -> int:
    """Seconds from '90', '30m', '1h30m', '7d', '2w'."""
    stripped = text.strip()
    if stripped.isdigit():
        seconds = int(stripped)
    else:
        parts = _DURATION_PART.findall(stripped)
        if not parts or _DURATION_PART.sub("", stripped).strip():
            raise InvalidInput(ErrorCode.NOT_A_DURATION, text=text)
        seconds = sum(int(n) * _DURATION_FACTORS[u.lower()] for n, u in parts)
    if seconds <= 0:
        raise InvalidInput(ErrorCode.DURATION_NOT_POSITIVE, text=text)
    return seconds


def check_rate_limit(text: str) -> str:
    """Validate a Mikrotik-Rate-Limit value ('1M/4M'; rx/tx from the router's side)."""
    value = text.strip()
    if not _RATE_LIMIT.match(value):
        raise InvalidInput(ErrorCode.NOT_A_RATE_LIMIT, text=text)
    return value


def format_size(n: int) -> str:
    for unit, factor in (("TB", 1024**4), ("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if n >= factor:
            return f"{n / factor:.1f} {unit}".replace(".0 ", " ")
    return f"{n} B"


def format_duration(seconds: int) -> str:
    parts = []
    for unit, factor in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= factor:
            parts.append(f"{seconds // factor}{unit}")
            seconds %= factor
    return "".join(parts) or "0s"
