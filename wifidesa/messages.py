"""Messages as data: an English template (the gettext msgid) plus parameters.

The core builds `Message`s; an edge renders one in its language with the catalogue's gettext
(`wifidesa.i18n`). Parameters may be messages themselves (a line of an import and its reason,
a quota period's word) or moments in time: they are translated too, never parsed back from a
rendered sentence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from wifidesa.i18n import Gettext, english, format_moment


@dataclass(frozen=True)
class Moment:
    """A point in time shown in a zone's local time ('1 April 2026 pukul 00.00 WITA')."""

    at: datetime
    zone: str


@dataclass(frozen=True)
class Joined:
    """Several parameters shown as one, separated (the first problems of an import)."""

    items: Sequence[object]
    separator: str = "; "


@dataclass(frozen=True)
class Message:
    """An English template with named fields, and the values of those fields.

    A message without parameters is shown as its translation as-is: its template is never
    formatted, so an old-style sentence with braces in it survives.
    """

    template: str
    params: Mapping[str, object] = field(default_factory=dict)

    def render(self, gettext: Gettext = english) -> str:
        """The message in the language of `gettext`, parameters translated recursively."""
        translated = gettext(self.template)
        if not self.params:
            return translated
        values = {name: render_param(value, gettext) for name, value in self.params.items()}
        return translated.format(**values)

    def __str__(self) -> str:
        return self.render()


def render_param(value: object, gettext: Gettext) -> object:
    """One parameter in the language of `gettext` (plain values stay as they are, so a
    template's `{name!r}` still quotes a text the way people typed it)."""
    if isinstance(value, Message):
        return value.render(gettext)
    if isinstance(value, Moment):
        return format_moment(moment=value.at, zone=value.zone, gettext=gettext)
    if isinstance(value, Joined):
        return value.separator.join(str(render_param(item, gettext)) for item in value.items)
    return value
