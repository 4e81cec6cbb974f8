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
    path = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
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
