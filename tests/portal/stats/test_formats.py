"""Numbers as the statistics page (and the PDF report after it) writes them."""

from __future__ import annotations

from portal.stats.formats import count, devices, hours, length_words
from wifidesa.stats.distinct import Count


def test_counts_and_hours_are_grouped_the_readers_way_and_hours_keep_one_decimal() -> None:
    assert count(1234567, "id") == "1.234.567"
    assert count(1234567, "en") == "1,234,567"
    assert count(0, "id") == "0"
    assert hours(5_468_400, "id") == "1.519,0"
    assert hours(5_468_400, "en") == "1,519.0"
    assert hours(5_400, "id") == "1,5"


def test_an_estimated_device_count_shows_its_margin_the_readers_way() -> None:
    estimate = Count(value=800_943, exact=False, error=0.0115)
    assert devices(estimate, "id") == "≈ 800.943 ± 2,3%"
    assert devices(estimate, "en") == "≈ 800,943 ± 2.3%"
    assert devices(Count(value=4, exact=True, error=None), "id") == "4"


def test_session_lengths_read_as_a_bucket_or_a_dash_without_sessions() -> None:
    assert length_words((600, 1800)) == "10 min–30 min"
    assert length_words((3600, 7200)) == "1 h–2 h"
    assert length_words((86_400, None)) == "≥ 24 h"
    assert length_words(None) == "–"
