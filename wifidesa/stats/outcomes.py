"""Login outcomes as statistics name them (msgids: translated where shown): how accepted
logins were made, why refused ones were refused (wifidesa.stats.logins stores them as
'accepted:<kind>' and 'refused:<reason>')."""

from __future__ import annotations

from wifidesa.access.rules import RejectReason
from wifidesa.access.ways import LoginKind
from wifidesa.stats.logins import ACCEPTED, REFUSED

KIND_LABELS = {
    LoginKind.VOUCHER: "Voucher",
    LoginKind.RESIDENT: "Resident account",
    LoginKind.FREE: "Free access",
    LoginKind.REMEMBERED_DEVICE: "Remembered device",
}
REASON_LABELS = {
    RejectReason.BAD_CREDENTIALS: "Wrong code or password",
    RejectReason.LOGIN_EXPIRED: "Login took too long",
    RejectReason.EXPIRED: "Voucher past its validity",
    RejectReason.OTHER_SITE: "Voucher of another village",
    RejectReason.OTHER_DEVICE: "Voucher in use on another device",
    RejectReason.TOO_MANY_DEVICES: "Too many devices at once",
    RejectReason.DISABLED: "Account disabled",
    RejectReason.REVOKED: "Voucher cancelled",
    RejectReason.SITE_INACTIVE: "Village service not active",
    RejectReason.WAY_CLOSED: "Way of logging in closed here",
    RejectReason.QUOTA_EXCEEDED: "Quota used up",
}


def is_refusal(outcome: str) -> bool:
    return outcome.startswith(f"{REFUSED}:")


def outcome_label(outcome: str) -> str:
    """The msgid naming an outcome ('Other' for one this version does not know)."""
    kind, _, value = outcome.partition(":")
    if kind == ACCEPTED:
        return next((label for k, label in KIND_LABELS.items() if k.value == value), "Other")
    return next((label for r, label in REASON_LABELS.items() if r.value == value), "Other")
