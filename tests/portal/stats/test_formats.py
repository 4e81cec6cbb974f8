"""Numbers as the statistics page (and the PDF report after it) writes them."""

from __future__ import annotations

from portal.stats.formats import count, hours, length_words


def test_counts_and_hours_are_grouped_and_hours_keep_one_decimal() -> None:
    assert count(1234567) == "1,234,567"
    assert count(0) == "0"
    assert hours(5_468_400) == "1,519.0"
    assert hours(5_400) == "1.5"


def test_session_lengths_read_as_a_bucket_or_a_dash_without_sessions() -> None:
    assert length_words((600, 1800)) == "10 min–30 min"
    assert length_words((3600, 7200)) == "1 h–2 h"
    assert length_words((86_400, None)) == "≥ 24 h"
    assert length_words(None) == "–"
