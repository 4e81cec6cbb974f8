"""One gettext catalogue for every edge (web pages, RADIUS replies, CLI): .po files per language.

The msgids are English; Bahasa Indonesia is the translation villagers see by default. The .po
files are compiled in memory the first time a language is asked for, then kept (one parse per
process and language: the RADIUS hot path only looks strings up).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import cache
from gettext import NullTranslations
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"

Gettext = Callable[[str], str]

# English month names are msgids: the catalogue holds the Indonesian ones (Januari, ...).
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
# Where the portal and admin pages show times that belong to no site (sign-in blocks).
PORTAL_ZONE = "Asia/Makassar"
ZONE_NAMES = {"Asia/Makassar": "WITA", "Asia/Jakarta": "WIB", "Asia/Jayapura": "WIT"}


@cache
def translations(language: str) -> NullTranslations:
    """The language's messages from every .po file in its folder (one file per area of the
    app: messages.po for the captive portal, errors.po for the core, admin*.po, ...)."""
    folder = LOCALE_DIR / language / "LC_MESSAGES"
    paths = sorted(folder.glob("*.po")) if folder.is_dir() else []
    if not paths:
        return NullTranslations()
    catalog = None
    for path in paths:
        with path.open("rb") as handle:
            part = read_po(handle, locale=language)
        if catalog is None:
            catalog = part
            continue
        for message in part:
            if message.id and message.string:
                catalog[message.id] = message
    assert catalog is not None
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def gettext_for(language: str) -> Gettext:
    """The catalogue's `gettext` for a language (an unknown one gives the English msgids)."""
    return translations(language if language in LANGUAGES else DEFAULT_LANGUAGE).gettext


def english(message: str) -> str:
    """The identity `gettext`: the msgids are English already."""
    return message


def format_time(*, moment: datetime, zone: str, gettext: Gettext) -> str:
    """The local time of day of a moment: '00.00' in Bahasa Indonesia, '00:00' in English."""
    local = moment.astimezone(ZoneInfo(zone))
    return gettext("{hour}:{minute}").format(hour=f"{local:%H}", minute=f"{local:%M}")


def zone_name(zone: str) -> str:
    """The name Indonesians use for a time zone (WITA for Asia/Makassar), else its id."""
    return ZONE_NAMES.get(zone, zone)


def format_moment(*, moment: datetime, zone: str, gettext: Gettext) -> str:
    """A local date and time with the zone's name: '1 April 2026 pukul 00.00 WITA'."""
    local = moment.astimezone(ZoneInfo(zone))
    return gettext("{day} {month} {year} at {time} {zone}").format(
        day=local.day,
        month=gettext(MONTHS[local.month - 1]),
        year=local.year,
        time=format_time(moment=moment, zone=zone, gettext=gettext),
        zone=zone_name(zone),
    )
