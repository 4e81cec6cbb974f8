"""What may appear in a log line: voucher codes are bearer secrets (a printed card is money),
residents' names are personal data. Log lines name them only as far as a person needs to tell
two apart."""

from __future__ import annotations

import re

from wifidesa.usernames import parse_login_name

_CARD_LINK = re.compile(r"(/portal/v/)[^/?#\s]*", re.IGNORECASE)
_NAME_PARAM = re.compile(r"([?&](?:username|code|password|token)=)[^&#\s]*", re.IGNORECASE)


def login_name(name: str | None) -> str:
    """A RADIUS or portal user name for a log line: a device (MAC, guest) as it is, any other
    name (a voucher code, a resident) by its first two characters and its length."""
    if not name:
        return "-"
    parsed = parse_login_name(name)
    if parsed.mac or parsed.guest_mac:
        return parsed.raw
    return f"{parsed.raw[:2]}…({len(parsed.raw)})"


def request_target(target: str) -> str:
    """A request's path and query for a log line: card links and name parameters blanked."""
    return _NAME_PARAM.sub(r"\1…", _CARD_LINK.sub(r"\1…", target))
