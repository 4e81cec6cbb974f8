"""The core's catalogue: every error code and every villager string is translated, and renders
in both languages with its parameters (nested ones translated too)."""

from __future__ import annotations

from datetime import UTC, datetime
from string import Formatter

import pytest

from wifidesa.access.rules import MESSAGES, LoginRefused, RejectReason
from wifidesa.errors import (
    FIRST,
    TEMPLATES,
    ErrorCode,
    InvalidInput,
    RowsRejected,
    WifidesaError,
    error_message,
    line_problem,
    translate_error,
)
from wifidesa.i18n import MONTHS, format_moment, gettext_for, translations
from wifidesa.messages import Joined, Message
from wifidesa.usage.quota import BLOCK_MESSAGE, PERIOD_WORDS, TOTAL_BLOCK_MESSAGE

ENGLISH, BAHASA = gettext_for("en"), gettext_for("id")
NESTED = error_message(ErrorCode.NOTE_TOO_LONG, maximum=255)  # a reason inside another


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(template) if name}


def _sample(template: str) -> dict[str, object]:
    """A value per field: text naming the field, or a nested message where one belongs."""
    special: dict[str, object] = {
        "reason": NESTED,
        "which": FIRST,
        "field": Message("After the quota"),  # a form field's label
        "first": Joined((line_problem(3, NESTED), line_problem(4, NESTED))),
    }
    return {name: special.get(name, f"x-{name}") for name in _fields(template)}


VILLAGER_STRINGS = [
    *MESSAGES.values(),
    BLOCK_MESSAGE,
    TOTAL_BLOCK_MESSAGE,
    *(word.template for word in PERIOD_WORDS.values()),
    *MONTHS,
    "{hour}:{minute}",
    "{day} {month} {year} at {time} {zone}",
    "never",
]


def test_every_code_has_one_template() -> None:
    assert set(TEMPLATES) == set(ErrorCode)


@pytest.mark.parametrize("msgid", [*TEMPLATES.values(), *VILLAGER_STRINGS])
def test_every_core_string_has_an_indonesian_translation_with_the_same_fields(
    msgid: str,
) -> None:
    translated = translations("id").gettext(msgid)
    # a few read the same in both languages (and "{field}: {reason}" is punctuation only)
    same = ("total", "April", "September", "November", "{field}: {reason}")
    assert translated != msgid or msgid in same
    assert _fields(translated) == _fields(msgid)


@pytest.mark.parametrize("code", list(ErrorCode))
def test_each_error_code_renders_in_english_and_in_bahasa(code: ErrorCode) -> None:
    params = _sample(TEMPLATES[code])
    error = WifidesaError(code, **params)
    english_values = {
        k: v.render() if isinstance(v, Message | Joined) else v
        for k, v in params.items()
        if not isinstance(v, Joined)
    }
    if "first" in params:
        english_values["first"] = "line 3: the note is longer than 255 characters; line 4: " + (
            "the note is longer than 255 characters"
        )
    assert str(error) == translate_error(error, ENGLISH) == TEMPLATES[code].format(**english_values)
    in_bahasa = translate_error(error, BAHASA)
    assert in_bahasa != str(error)
    for name, value in params.items():
        if isinstance(value, str):
            assert value in in_bahasa, name
    if "reason" in params or "first" in params:
        assert "catatan lebih dari 255 karakter" in in_bahasa
    if "which" in params:
        assert "pertama" in in_bahasa


@pytest.mark.parametrize("reason", list(RejectReason))
def test_each_refusal_renders_in_english_and_in_bahasa(reason: RejectReason) -> None:
    params = _sample(MESSAGES[reason])
    refused = LoginRefused(reason, **params)
    assert refused.message.render(ENGLISH) == MESSAGES[reason].format(**params)
    in_bahasa = refused.message.render(BAHASA)
    assert in_bahasa != refused.message.render(ENGLISH)
    assert all(str(value) in in_bahasa for value in params.values())


def test_a_moment_reads_in_each_language() -> None:
    moment = datetime(2026, 3, 31, 16, 0, tzinfo=UTC)
    assert format_moment(moment=moment, zone="Asia/Makassar", gettext=BAHASA) == (
        "1 April 2026 pukul 00.00 WITA"
    )
    assert format_moment(moment=moment, zone="Asia/Makassar", gettext=ENGLISH) == (
        "1 April 2026 at 00:00 WITA"
    )
    assert format_moment(moment=datetime(2026, 8, 1, tzinfo=UTC), zone="UTC", gettext=BAHASA) == (
        "1 Agustus 2026 pukul 00.00 UTC"
    )


def test_rejected_rows_keep_each_problem_as_data() -> None:
    count = error_message(ErrorCode.FIELD_COUNT, expected=2, found=3)
    error = RowsRejected("vouchers", [line_problem(3, NESTED), line_problem(9, count)])
    assert error.problems == [
        "line 3: the note is longer than 255 characters",
        "line 9: expected 2 fields, found 3",
    ]
    assert error.rows[0].params == {"line": 3, "reason": NESTED}
    assert translate_error(error, BAHASA) == (
        "vouchers: 2 masalah, tidak ada yang diimpor: baris 3: catatan lebih dari 255 karakter; "
        "baris 9: seharusnya 2 kolom, ada 3"
    )


def test_an_error_takes_only_a_code() -> None:
    # No ready sentences: a message that cannot be translated by its code cannot be raised.
    with pytest.raises(KeyError):
        InvalidInput("an English sentence")  # type: ignore[arg-type]
