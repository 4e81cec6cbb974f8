"""What a login name is: a MAC (MAC authentication), a guest device, or a voucher/member name."""

from __future__ import annotations

import re
from dataclasses import dataclass

from wifidesa.errors import ErrorCode, InvalidInput

GUEST_PREFIX = "tamu-"


def normalize_code(text: str) -> str:
    """A voucher code as a villager typed it, as stored: upper case, no spaces or dashes."""
    return "".join(ch for ch in text.upper() if ch not in " -\t")


_MAC = re.compile(r"^[0-9A-Fa-f]{2}([:-]?)[0-9A-Fa-f]{2}(\1[0-9A-Fa-f]{2}){4}$")


def normalize_mac(text: str | None) -> str | None:
    """'aa-bb-cc-dd-ee-ff' or 'aabbccddeeff' → 'AA:BB:CC:DD:EE:FF'; None if not a MAC."""
    if not text or not _MAC.match(text.strip()):
        return None
    digits = re.sub(r"[^0-9A-Fa-f]", "", text).upper()
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))


def guest_username(mac: str) -> str:
    """The RADIUS user name of a free-access device: 'tamu-AABBCCDDEEFF'."""
    return GUEST_PREFIX + mac.replace(":", "")


@dataclass(frozen=True)
class LoginName:
    """The ways a user name may be looked up; at most one of `mac`/`guest_mac` is set."""

    raw: str
    voucher_code: str
    member_username: str
    mac: str | None = None  # MAC authentication: the name is a MAC
    guest_mac: str | None = None


def parse_login_name(raw: str) -> LoginName:
    name = raw.strip()
    mac = normalize_mac(name)
    guest_mac = None
    if name.lower().startswith(GUEST_PREFIX):
        guest_mac = normalize_mac(name[len(GUEST_PREFIX) :])
    return LoginName(
        raw=name,
        voucher_code=normalize_code(name),
        member_username=name.lower(),
        mac=mac,
        guest_mac=guest_mac,
    )


def check_username(text: str) -> str:
    """A login name for an admin or a resident, normalised: 1-64 letters, digits, '.', '_', '-'."""
    username = text.strip().lower()
    if (
        not username
        or len(username) > 64
        or not username.replace(".", "").replace("_", "").replace("-", "").isalnum()
    ):
        raise InvalidInput(ErrorCode.BAD_USERNAME)
    return username
