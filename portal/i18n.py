"""One i18n mechanism for every page: gettext catalogues (Babel .po files) per language.

Bahasa Indonesia is the default; English is a switch (`?lang=en`, kept in a cookie). The .po
files are compiled in memory at start-up, so there is no build step to forget.
"""

from __future__ import annotations

from functools import cache
from gettext import NullTranslations
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from starlette.requests import Request

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"
COOKIE = "wd_lang"


@cache
def translations(language: str) -> NullTranslations:
    """The language's messages from every .po file in its folder (one file per area of the
    app: messages.po for the captive portal, admin*.po for the admin UI, ...)."""
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


def chosen_language(request: Request) -> str | None:
    """A language the villager just picked (form or ?lang=), to be remembered in a cookie."""
    asked = getattr(request.state, "lang", None) or request.query_params.get("lang")
    return asked if asked in LANGUAGES else None


def request_language(request: Request) -> str:
    asked = chosen_language(request) or request.cookies.get(COOKIE)
    return asked if asked in LANGUAGES else DEFAULT_LANGUAGE
