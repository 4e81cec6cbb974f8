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


# routeros-api's errors quote the whole command sentence (`b'/login =name=admin
# =password=...'`). A value runs to the next word of the sentence, to the end of the quoted
# bytes, or to the end of the text.
_ROUTEROS_SECRET_WORD = re.compile(
    r"(=(?:password|response|secret|passphrase|private-key|contents)=)"
    r"(?:(?! [=.?/]|'|\").)*",
    re.IGNORECASE | re.DOTALL,
)


def routeros_text(text: str, *, secrets: tuple[str, ...] = ()) -> str:
    """A RouterOS API error or command for a log line: the values of password-like words
    (and file contents) blanked, and every one of `secrets` (the API password we used) wherever
    it still appears."""
    text = _ROUTEROS_SECRET_WORD.sub(r"\1…", text)
    for secret in secrets:
        if secret:
            text = text.replace(secret, "…")
    return text
