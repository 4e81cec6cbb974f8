"""Numbers as the statistics page writes them, for every view of a report that a reader
compares with it (the page, its charts, the PDF report): grouped the reader's way, 1.234.567
in Indonesian and 1,234,567 in English (the charts' labels use the same locale rules)."""

from __future__ import annotations

from babel.numbers import format_decimal, format_percent

from wifidesa.stats.distinct import Count


def count(value: int, language: str) -> str:
    """A count with thousands grouped: 1.234 (id), 1,234 (en)."""
    return format_decimal(value, locale=language)


def hours(seconds: int, language: str) -> str:
    """Online time as hours with one decimal (what a report compares): 1.519,0 (id)."""
    return format_decimal(seconds / 3600, format="#,##0.0", locale=language)


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


def devices(found: Count, language: str) -> str:
    """Distinct devices: exact, or an estimate with its 95 % margin (≈ 800.943 ± 2,3 % in id)."""
    if found.exact or found.error is None:
        return count(found.value, language)
    margin = format_percent(2 * found.error, format="#,##0.0%", locale=language)
    return f"≈ {count(found.value, language)} ± {margin}"
