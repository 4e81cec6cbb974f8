"""The profile form: fields as people type them ("1G", "2h", "7d") to a ProfileSpec and back."""

from __future__ import annotations

from collections.abc import Callable

from wifidesa.db.models import AfterQuota, QuotaPeriod
from wifidesa.errors import ErrorCode, InvalidInput, error_message
from wifidesa.messages import Message
from wifidesa.profiles.rules import ProfileSpec, Quota
from wifidesa.units import format_duration, parse_duration, parse_size

QUOTA_PERIODS = (QuotaPeriod.DAY, QuotaPeriod.WEEK, QuotaPeriod.MONTH, QuotaPeriod.TOTAL)
DURATIONS = ("session_timeout", "idle_timeout", "validity", "interim_interval")
LABELS = {
    "session_timeout": "Session timeout",
    "idle_timeout": "Idle timeout",
    "validity": "Validity",
    "interim_interval": "Accounting interval",
    "devices_at_once": "Devices at once",
    "remember_device_days": "Remember devices (days)",
    "day_data": "Data per day",
    "day_time": "Time per day",
    "week_data": "Data per week",
    "week_time": "Time per week",
    "month_data": "Data per month",
    "month_time": "Time per month",
    "total_data": "Data in total",
    "total_time": "Time in total",
}
DEFAULTS = {"interim_interval": "5m", "devices_at_once": "1", "remember_device_days": "0"}


def _field_problem(key: str, reason: Message) -> InvalidInput:
    """A field's value refused: its label (a msgid, translated with the rest) and why."""
    return InvalidInput(ErrorCode.FIELD_PROBLEM, field=Message(LABELS[key]), reason=reason)


def _optional(fields: dict[str, str], key: str, parse: Callable[[str], int]) -> int | None:
    text = fields.get(key, "").strip()
    if not text:
        return None
    try:
        return parse(text)
    except InvalidInput as exc:
        raise _field_problem(key, exc.message) from None


def _whole(fields: dict[str, str], key: str) -> int:
    text = fields.get(key, "").strip() or DEFAULTS[key]
    if not text.isdigit():
        raise _field_problem(key, error_message(ErrorCode.NOT_A_WHOLE_NUMBER, text=text))
    return int(text)


def spec_from_form(fields: dict[str, str]) -> ProfileSpec:
    """A spec from the form's text fields; InvalidInput names the field that is wrong."""
    quotas = []
    for period in QUOTA_PERIODS:
        data = _optional(fields, f"{period}_data", parse_size)
        time = _optional(fields, f"{period}_time", parse_duration)
        if data is not None or time is not None:
            quotas.append(Quota(period=period, data_bytes=data, time_seconds=time))
    after = fields.get("after_quota", AfterQuota.BLOCK.value)
    if after not in {a.value for a in AfterQuota}:
        reason = error_message(ErrorCode.CHOOSE_BLOCK_OR_THROTTLE)
        raise InvalidInput(ErrorCode.FIELD_PROBLEM, field=Message("After the quota"), reason=reason)
    return ProfileSpec(
        name=fields.get("name", "").strip(),
        description=fields.get("description", "").strip(),
        rate_limit=fields.get("rate_limit", "").strip() or None,
        session_timeout=_optional(fields, "session_timeout", parse_duration),
        idle_timeout=_optional(fields, "idle_timeout", parse_duration),
        interim_interval=_optional(fields, "interim_interval", parse_duration) or 300,
        devices_at_once=_whole(fields, "devices_at_once"),
        validity_seconds=_optional(fields, "validity", parse_duration),
        after_quota=AfterQuota(after),
        throttle_rate_limit=fields.get("throttle_rate_limit", "").strip() or None,
        remember_device_days=_whole(fields, "remember_device_days"),
        quotas=tuple(quotas),
    )


def _size(n: int | None) -> str:
    if n is None:
        return ""
    for unit, factor in (("T", 1024**4), ("G", 1024**3), ("M", 1024**2), ("K", 1024)):
        if n % factor == 0:
            return f"{n // factor}{unit}"
    return str(n)


def _time(n: int | None) -> str:
    return "" if n is None else format_duration(n)


def form_from_spec(spec: ProfileSpec) -> dict[str, str]:
    """The form's fields for a spec (to edit a profile, or show a refused form again)."""
    fields = {
        "name": spec.name,
        "description": spec.description,
        "rate_limit": spec.rate_limit or "",
        "session_timeout": _time(spec.session_timeout),
        "idle_timeout": _time(spec.idle_timeout),
        "interim_interval": _time(spec.interim_interval),
        "devices_at_once": str(spec.devices_at_once),
        "validity": _time(spec.validity_seconds),
        "after_quota": spec.after_quota.value,
        "throttle_rate_limit": spec.throttle_rate_limit or "",
        "remember_device_days": str(spec.remember_device_days),
    }
    for quota in spec.quotas:
        fields[f"{quota.period}_data"] = _size(quota.data_bytes)
        fields[f"{quota.period}_time"] = _time(quota.time_seconds)
    return fields
