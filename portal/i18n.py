"""The language of a page: Bahasa Indonesia by default, English as a switch (`?lang=en`, kept
in a cookie). The words come from the core's one gettext catalogue (`wifidesa.i18n`), which
the RADIUS replies and the CLI use as well.
"""

from __future__ import annotations

from starlette.requests import Request

from wifidesa.i18n import DEFAULT_LANGUAGE, LANGUAGES, translations

__all__ = ["COOKIE", "DEFAULT_LANGUAGE", "LANGUAGES", "translations"]

COOKIE = "wd_lang"


def chosen_language(request: Request) -> str | None:
    """A language the villager just picked (form or ?lang=), to be remembered in a cookie."""
    asked = getattr(request.state, "lang", None) or request.query_params.get("lang")
    return asked if asked in LANGUAGES else None


def request_language(request: Request) -> str:
    """The page's language: just picked, else remembered in the cookie, else the default."""
    asked = chosen_language(request) or request.cookies.get(COOKIE)
    return asked if asked in LANGUAGES else DEFAULT_LANGUAGE
