"""Which refusal texts the portal may show when the router sends the villager back.

RouterOS passes its login error to our page as `error`, in the URL the villager opened: shown
verbatim, anyone could put words on the village's real page with a link ("call 0812..."). Only
texts that RouterOS or our RADIUS refusals actually produce are shown: RouterOS's own, and our
Reply-Messages (in Bahasa Indonesia, see radius.packets) with short plain values in their
fields. Anything else is replaced by a general message.
"""

from __future__ import annotations

import re
from functools import cache
from string import Formatter

from wifidesa.access.rules import MESSAGES
from wifidesa.i18n import gettext_for
from wifidesa.usage.quota import BLOCK_MESSAGE, PERIOD_WORDS, TOTAL_BLOCK_MESSAGE

REPLY_LANGUAGE = "id"  # what RADIUS puts in the Reply-Message
_VALUE = r"[\w .,:'()/-]{1,60}"  # a village name, a number, a day and time


def _pattern(template: str) -> str:
    """A regular expression for a translated template, each field a short plain value."""
    parts = []
    for literal, field, _spec, _conversion in Formatter().parse(template):
        parts.append(re.escape(literal))
        if field is not None:
            parts.append(_VALUE)
    return "".join(parts)


@cache
def _known() -> re.Pattern[str]:
    _ = gettext_for(REPLY_LANGUAGE)
    templates = [*MESSAGES.values(), BLOCK_MESSAGE, TOTAL_BLOCK_MESSAGE]
    patterns = [_pattern(_(template)) for template in templates]
    patterns += [re.escape(_(word.template)) for word in PERIOD_WORDS.values()]
    return re.compile("|".join(f"(?:{p})" for p in patterns))


def is_our_refusal(text: str) -> bool:
    """Whether `text` is one of our RADIUS Reply-Messages (as the router repeats it)."""
    return _known().fullmatch(text.strip()) is not None
