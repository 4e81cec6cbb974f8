"""The words of an alert: every event in Bahasa Indonesia (and English), at the site's local
time, with the fields a webhook gets."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from wifidesa.alerts import digest, texts
from wifidesa.alerts.texts import EventKind, FleetEvent, render_event, trial_text
from wifidesa.i18n import translations
from wifidesa.messages import Message

# 16.05 UTC on 31 March is 00.05 WITA on 1 April: the day shown is the local one.
AT = datetime(2026, 3, 31, 16, 5, tzinfo=UTC)


def test_a_router_down_reads_in_bahasa_at_wita_time() -> None:
    text = render_event(FleetEvent(EventKind.DOWN, AT, "Desa Loa Duri", "loa-1", minutes_down=20))
    assert text.subject == "[WiFi Desa] Desa Loa Duri: router loa-1 mati"
    assert text.body == (
        "Router loa-1 di Desa Loa Duri tidak menjawab sejak 1 April 2026 pukul 00.05 WITA "
        "(20 menit)."
    )
    assert text.fields == {
        "event": "down",
        "site": "Desa Loa Duri",
        "router": "loa-1",
        "at": "2026-03-31T16:05:00+00:00",
        "minutes_down": 20,
    }


def test_a_site_in_another_zone_gets_its_own_local_time() -> None:
    event = FleetEvent(EventKind.RESTARTED, AT, "Desa X", "x-1", zone="Asia/Jakarta")
    assert "31 Maret 2026 pukul 23.05 WIB" in render_event(event).body


@pytest.mark.parametrize("kind", list(EventKind))
def test_every_event_reads_in_both_languages(kind: EventKind) -> None:
    event = FleetEvent(kind, AT, "Desa Loa Duri", "loa-1", minutes_down=7)
    bahasa, english = render_event(event), render_event(event, language="en")
    assert bahasa.subject != english.subject and bahasa.body != english.body
    assert "1 April 2026 pukul 00.05 WITA" in bahasa.body
    assert "1 April 2026 at 00:05 WITA" in english.body
    assert "{" not in bahasa.body + bahasa.subject


def test_the_trial_message_says_when_it_was_sent() -> None:
    text = trial_text(at=AT)
    assert text.subject == "[WiFi Desa] Pesan uji"
    assert "1 April 2026 pukul 00.05 WITA" in text.body


def test_every_alert_and_digest_sentence_has_its_bahasa_translation() -> None:
    sentences = [
        *texts.SUBJECTS.values(),
        *texts.BODIES.values(),
        texts.RESTARTED_AFTER,
        texts.UP_RESTARTED,
        *(value for value in vars(digest).values() if isinstance(value, Message)),
    ]
    same = {"- {site}: {percent} %"}
    missing = [
        m.template
        for m in sentences
        if translations("id").gettext(m.template) == m.template and m.template not in same
    ]
    assert missing == []


def test_a_flapping_router_says_how_often_and_for_how_long_it_stays_quiet() -> None:
    event = FleetEvent(
        EventKind.FLAPPING, AT, "Desa X", "x-1", changes=6, window_minutes=60, quiet_minutes=30
    )
    text = render_event(event, language="en")
    assert text.body == (
        "Router x-1 in Desa X changed state 6 times within 60 minutes, the last at 1 April "
        "2026 at 00:05 WITA. No alert about it until it has kept one state for 30 minutes."
    )
    assert text.fields["changes"] == 6
