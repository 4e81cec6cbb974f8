"""Voucher cards for print: what each card says, its QR code, and the profile in plain words.

A card carries the village, the code (grouped for reading off paper), the paket in a few short
lines a villager understands, and a QR code that opens the portal with the code filled in.
The HTML print views (templates/vouchers/) and the PDF (portal.printing.pdf) draw the same cards.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

import segno
from markupsafe import Markup

from wifidesa.db.models import AfterQuota, Profile, QuotaPeriod
from wifidesa.units import format_size
from wifidesa.vouchers.codes import format_code

Gettext = Callable[[str], str]

# At least M (segno raises it further when that costs no extra size): cards get folded,
# scratched and printed on thermal paper that fades.
QR_ERROR = "m"
QR_BORDER = 4  # the quiet zone the QR standard asks for, in modules

# msgids stay literal here so that the .po files can be checked against this module.
_PER_PERIOD = {
    QuotaPeriod.DAY: "{amount} per day",
    QuotaPeriod.WEEK: "{amount} per week",
    QuotaPeriod.MONTH: "{amount} per month",
    QuotaPeriod.TOTAL: "{amount} in total",
}
# (seconds, msgid for exactly one, msgid for more)
_TIME_UNITS = (
    (86400, "1 day", "{n} days"),
    (3600, "1 hour", "{n} hours"),
    (60, "1 minute", "{n} minutes"),
)
_RATE = re.compile(r"^(\d+(?:\.\d+)?)([kKmMgG]?)$")
_RATE_FACTORS = {"": 1, "k": 1000, "m": 1000**2, "g": 1000**3}


@dataclass(frozen=True)
class Card:
    """One printed voucher card."""

    village: str
    code: str  # as stored: upper case, no dashes
    display_code: str  # as printed: ABCDE-FGHJK
    profile_words: list[str]
    url: str  # what the QR code opens

    def qr_svg(self) -> Markup:
        """The card's QR code as inline SVG, for the print views (`{{ card.qr_svg() }}`)."""
        return qr_svg(self.url)


def card_url(public_url: str, code: str, site_code: str) -> str:
    """The portal page a card's QR code opens: it remembers the code for the login form and
    leads on to the login page of the card's village (named by its site code)."""
    return f"{public_url.rstrip('/')}/portal/v/{code}?{urlencode({'s': site_code})}"


def build_cards(
    *,
    village: str,
    site_code: str,
    codes: Iterable[str],
    profile: Profile,
    public_url: str,
    gettext: Gettext,
    use_by: date | None = None,
) -> list[Card]:
    """Cards for voucher codes of one village and one profile, in the given order; a batch's
    use-by day comes first in the words (views and PDFs cut long lists, never this line)."""
    words = profile_words(profile, gettext)
    if use_by is not None:
        words.insert(0, use_by_words(use_by, gettext))
    return [
        Card(
            village=village,
            code=code,
            display_code=format_code(code),
            profile_words=list(words),
            url=card_url(public_url, code, site_code),
        )
        for code in codes
    ]


def use_by_words(day: date, gettext: Gettext) -> str:
    """'Berlaku sampai 31-12-2026': the last day a card can be used (day-month-year)."""
    return gettext("Valid until {date}").format(date=day.strftime("%d-%m-%Y"))


def plain_duration(seconds: int, gettext: Gettext) -> str:
    """'2 hours 30 minutes', '7 days': words, not '2h30m' (an Indonesian reads 'h' as hari)."""
    parts = []
    for factor, one, many in _TIME_UNITS:
        n, seconds = divmod(seconds, factor)
        if n:
            parts.append(gettext(one) if n == 1 else gettext(many).format(n=n))
    if not parts:  # under a minute
        return gettext("{n} seconds").format(n=seconds)
    return " ".join(parts[:2])  # '1 day 3 hours' is plain enough; minutes past days are noise


def download_rate(rate_limit: str) -> int | None:
    """Bits per second a client may download, from a Mikrotik-Rate-Limit ('2M/5M' → 5 Mbps).

    The value is rx/tx seen from the router: tx, the second part, is what the client receives.
    """
    first = rate_limit.split()[0] if rate_limit.split() else ""
    parts = first.split("/")
    match = _RATE.match(parts[-1])
    if not match:
        return None
    value = float(match.group(1)) * _RATE_FACTORS[match.group(2).lower()]
    return int(value) or None


def format_rate(bits_per_second: int) -> str:
    """'5 Mbps', '1.5 Mbps', '512 kbps' (decimal units, as speeds are sold)."""
    for unit, factor in (("Gbps", 1000**3), ("Mbps", 1000**2), ("kbps", 1000)):
        if bits_per_second >= factor:
            return f"{bits_per_second / factor:.1f} {unit}".replace(".0 ", " ")
    return f"{bits_per_second} bps"


def profile_words(profile: Profile, gettext: Gettext) -> list[str]:
    """The paket in short lines for a villager: quotas, validity, speed, devices."""
    lines: list[str] = []
    for limit in profile.limits:
        template = gettext(_PER_PERIOD[limit.period])
        if limit.data_bytes is not None:
            lines.append(template.format(amount=format_size(limit.data_bytes)))
        if limit.time_seconds is not None:
            lines.append(template.format(amount=plain_duration(limit.time_seconds, gettext)))
    if profile.validity_seconds is not None:
        validity = plain_duration(profile.validity_seconds, gettext)
        lines.append(gettext("Valid {duration} from first use").format(duration=validity))
    if profile.session_timeout is not None:
        session = plain_duration(profile.session_timeout, gettext)
        lines.append(gettext("Up to {duration} per session").format(duration=session))
    rate = download_rate(profile.rate_limit) if profile.rate_limit else None
    if rate is not None:
        lines.append(gettext("Speed up to {rate}").format(rate=format_rate(rate)))
    if profile.limits and profile.after_quota is AfterQuota.THROTTLE:
        slow = download_rate(profile.throttle_rate_limit or "")
        if slow is not None:
            lines.append(gettext("After the quota, up to {rate}").format(rate=format_rate(slow)))
    if profile.devices_at_once == 1:
        lines.append(gettext("1 device at a time"))
    else:
        lines.append(gettext("{n} devices at once").format(n=profile.devices_at_once))
    return lines


def _qr(url: str) -> segno.QRCode:
    return segno.make(url, error=QR_ERROR, micro=False)


def qr_matrix(url: str) -> list[bytes]:
    """The QR code's modules, one bytes row each (1 = dark), without the quiet zone."""
    return [bytes(row) for row in _qr(url).matrix]


def qr_svg(url: str) -> Markup:
    """The QR code as inline SVG: no XML declaration, no fixed size (CSS sizes the `.qr`
    class), the quiet zone inside its viewBox, and crisp module edges when scaled."""
    svg = _qr(url).svg_inline(scale=1, border=QR_BORDER, svgclass="qr", omitsize=True)
    # segno's markup holds only numbers and fixed attributes, never the URL: safe to mark up.
    return Markup(svg.replace("<svg ", '<svg shape-rendering="crispEdges" aria-hidden="true" ', 1))  # noqa: S704
