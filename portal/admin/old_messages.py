"""Old-style error sentences translated by pattern: only for the pages not yet moved over.

DELETE this module once wifidesa/members, wifidesa/profiles and their admin pages raise and
translate errors with codes (`wifidesa.errors.translate_error`). Until then their errors are
ready English sentences: a fixed one is a msgid (`_(message)` finds it); one that carries a
value (a username, a line number, what was typed) is matched here against its pattern.
"""

from __future__ import annotations

import re
from collections.abc import Callable

Gettext = Callable[[str], str]

# (pattern of the English message, msgid with the same named fields)
_PATTERNS = [
    (r"line (?P<n>\d+): (?P<rest>.+)", "line {n}: {rest}"),
    (
        r"(?P<source>.+): (?P<n>\d+) problem\(s\), nothing imported: .*",
        "{n} problem(s), nothing imported",
    ),
    (r"username (?P<v>'.*') also on line (?P<n>\d+)", "username {v} also on line {n}"),
    (r"username (?P<v>'.*') exists already", "username {v} exists already"),
    (r"member (?P<v>'.*') exists already", "username {v} exists already"),
    (r"profile (?P<v>'.*') exists already", "a profile named {v} exists already"),
    (r"profile (?P<v>'.*') not found", "profile {v} not found"),
    (r"expected (?P<n>\d+) fields, found (?P<m>\d+)", "expected {n} fields, found {m}"),
    (
        r"not a size: (?P<v>.*) \(examples: 500M, 1\.5G, 2GB\)",
        "not a size: {v} (examples: 500M, 1.5G, 2GB)",
    ),
    (r"size must be positive: (?P<v>.*)", "size must be positive: {v}"),
    (r"not a whole number: (?P<v>.*)", "not a whole number: {v}"),
    (
        r"not a duration: (?P<v>.*) \(examples: 30m, 1h30m, 7d\)",
        "not a duration: {v} (examples: 30m, 1h30m, 7d)",
    ),
    (r"duration must be positive: (?P<v>.*)", "duration must be positive: {v}"),
    (
        r"not a MikroTik rate limit: (?P<v>.*) \(example: 1M/4M = up/down\)",
        "not a MikroTik rate limit: {v} (example: 1M/4M = up/down)",
    ),
    (
        r"the (?P<p>day|week|month|total) quota limits neither data nor time",
        "the {p} quota limits neither data nor time",
    ),
    (r"(?P<label>[^:]+): (?P<rest>.+)", "{label}: {rest}"),
]
_COMPILED = [(re.compile(f"^{pattern}$"), msgid) for pattern, msgid in _PATTERNS]
_NESTED = ("rest", "label", "p")


def translate(_: Gettext, message: str) -> str:
    """A domain message in the page's language (as-is if no translation is known)."""
    found = _(message)
    if found != message:
        return found
    for pattern, msgid in _COMPILED:
        match = pattern.match(message)
        if match is None:
            continue
        values = {
            key: translate(_, value) if key in _NESTED else value
            for key, value in match.groupdict().items()
        }
        return _(msgid).format(**values)
    return message
