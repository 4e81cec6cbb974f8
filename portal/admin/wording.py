"""Words for the admin pages: domain messages translated, limits in plain words.

The core's messages are English msgids; most are fixed text (`_(message)` finds them), a few
carry a value (a username, a line number, what was typed). Those are matched here against
their pattern, and the pattern is translated with the value put back in.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from portal.printing.cards import plain_duration
from wifidesa.db.models import AfterQuota, Profile, QuotaPeriod
from wifidesa.units import format_size

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
    (r"count must be between 1 and (?P<n>\d+)", "count must be between 1 and {n}"),
    (
        r"a voucher prefix is up to (?P<n>\d+) characters from (?P<a>\w+) .*",
        "a voucher prefix is up to {n} letters or digits from {a}",
    ),
    (r"code (?P<code>.*) is not in this batch", "code {code} is not in this batch"),
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


PERIODS = {
    QuotaPeriod.DAY: "per day",
    QuotaPeriod.WEEK: "per week",
    QuotaPeriod.MONTH: "per month",
    QuotaPeriod.TOTAL: "in total",
}


def speeds(rate_limit: str) -> tuple[str, str]:
    """(upload, download) of a Mikrotik-Rate-Limit: rx/tx from the router, rx = upload."""
    first = rate_limit.split()[0]
    up, _sep, down = first.partition("/")
    return up, down or up


def limits_in_words(_: Gettext, profile: Profile) -> list[str]:
    """What a profile allows, one short phrase each, for villagers and admins alike."""
    words: list[str] = []
    if profile.rate_limit:
        up, down = speeds(profile.rate_limit)
        words.append(_("Speed {down} down, {up} up").format(down=down, up=up))
    for limit in sorted(profile.limits, key=lambda q: list(PERIODS).index(q.period)):
        period = _(PERIODS[limit.period])
        if limit.data_bytes is not None:
            words.append(
                _("{size} of data {period}").format(
                    size=format_size(limit.data_bytes), period=period
                )
            )
        if limit.time_seconds is not None:
            words.append(
                _("{time} online {period}").format(
                    time=plain_duration(limit.time_seconds, _), period=period
                )
            )
    if profile.limits:
        if profile.after_quota is AfterQuota.THROTTLE and profile.throttle_rate_limit:
            up, down = speeds(profile.throttle_rate_limit)
            words.append(
                _("After the quota: slowed to {down} down, {up} up").format(down=down, up=up)
            )
        else:
            words.append(_("After the quota: no access until it resets"))
    if profile.session_timeout:
        words.append(
            _("A session lasts at most {time}").format(
                time=plain_duration(profile.session_timeout, _)
            )
        )
    if profile.idle_timeout:
        words.append(
            _("Logged out after {time} without use").format(
                time=plain_duration(profile.idle_timeout, _)
            )
        )
    if profile.validity_seconds:
        words.append(
            _("Valid for {time} from first use").format(
                time=plain_duration(profile.validity_seconds, _)
            )
        )
    words.append(_("{n} device(s) at once").format(n=profile.devices_at_once))
    if profile.remember_device_days:
        words.append(_("Devices remembered for {n} day(s)").format(n=profile.remember_device_days))
    return words
