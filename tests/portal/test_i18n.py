"""Every string a page shows has its Bahasa Indonesia translation (English is the msgid)."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

from wifidesa.i18n import LOCALE_DIR

ROOT = Path(__file__).resolve().parents[2]
# gettext calls, and messages the code builds from a literal msgid (rendered by the edges)
MSGID = re.compile(r'(?<![\w.])(?:_|Message)\("((?:[^"\\]|\\.)*)"\)')


def _translated(language: str) -> set[str]:
    found: set[str] = set()
    for path in (LOCALE_DIR / language / "LC_MESSAGES").glob("*.po"):
        with path.open("rb") as handle:
            found |= {m.id for m in read_po(handle, locale=language) if m.id and m.string}
    return found


def _msgids() -> dict[str, str]:
    """msgid -> where it is used, from the templates and the Python code of the web edge and
    the core."""
    sources = [
        *(ROOT / "templates").glob("*/*.html"),
        *(ROOT / "portal").rglob("*.py"),
        *(ROOT / "wifidesa").rglob("*.py"),
    ]
    used: dict[str, str] = {}
    for source in sources:
        if source.parent.name == "mikrotik":  # static files on the router, not translated
            continue
        for msgid in MSGID.findall(source.read_text(encoding="utf-8")):
            used.setdefault(msgid.replace('\\"', '"'), str(source.relative_to(ROOT)))
    return used


def test_every_string_has_an_indonesian_translation() -> None:
    translated = _translated("id")
    missing = sorted(
        f"{where}: {msgid!r}" for msgid, where in _msgids().items() if msgid not in translated
    )
    assert not missing, "untranslated:\n" + "\n".join(missing)


def test_the_scan_finds_strings_of_every_area() -> None:
    where = set(_msgids().values())
    for area in ("templates/portal/", "templates/admin/", "portal/admin/", "wifidesa/"):
        assert any(w.startswith(area) for w in where), f"no msgid found under {area}"
