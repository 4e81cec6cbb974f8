"""Numbers as the statistics page writes them, for every view of a report that a reader
compares with it (the page, the PDF report)."""

from __future__ import annotations

from wifidesa.stats.distinct import Count


def count(value: int) -> str:
    """A count with thousands separated: 1,234."""
    return f"{value:,}"


def hours(seconds: int) -> str:
    """Online time as hours with one decimal (what a report compares)."""
    return f"{seconds / 3600:,.1f}"


def length_words(bucket: tuple[int, int | None] | None) -> str:
    """A session-length bucket: 10 min–30 min, ≥ 24 h; – when there were no sessions."""
    if bucket is None:
        return "–"
    low, high = bucket
    if high is None:
        return f"≥ {low // 3600} h"
    return f"{_short(low)}–{_short(high)}"


def _short(seconds: int) -> str:
    return (
        f"{seconds // 3600} h"
        if seconds >= 3600 and seconds % 3600 == 0
        else f"{seconds // 60} min"
    )


def devices(found: Count) -> str:
    """Distinct devices: exact, or an estimate with its 95 % margin (≈ 800,943 ± 2.3 %)."""
    if found.exact or found.error is None:
        return count(found.value)
    return f"≈ {found.value:,} ± {2 * found.error:.1%}"
