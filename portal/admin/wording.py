"""Words for the admin pages: limits in plain words, speeds.

Errors are translated by `wifidesa.errors.translate_error` (a code and its parameters).
"""

from __future__ import annotations

from collections.abc import Callable

from portal.printing.cards import plain_duration
from wifidesa.db.models import AfterQuota, Profile, QuotaPeriod
from wifidesa.units import format_size

Gettext = Callable[[str], str]

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
