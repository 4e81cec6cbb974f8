"""Profiles (paket): what one holds, and which values make a usable profile."""

from __future__ import annotations

from dataclasses import dataclass, field

from wifidesa.db.models import AfterQuota, QuotaPeriod
from wifidesa.errors import ErrorCode, InvalidInput
from wifidesa.messages import Message
from wifidesa.units import check_rate_limit


@dataclass(frozen=True)
class Quota:
    period: QuotaPeriod
    data_bytes: int | None = None
    time_seconds: int | None = None


@dataclass(frozen=True)
class ProfileSpec:
    name: str
    description: str = ""
    rate_limit: str | None = None
    session_timeout: int | None = None
    idle_timeout: int | None = None
    interim_interval: int = 300
    devices_at_once: int = 1
    validity_seconds: int | None = None
    after_quota: AfterQuota = AfterQuota.BLOCK
    throttle_rate_limit: str | None = None
    remember_device_days: int = 0
    quotas: tuple[Quota, ...] = field(default_factory=tuple)
    region_id: int | None = None  # the kabupaten that defines it; None: province-wide


def check_spec(spec: ProfileSpec) -> None:
    """Refuse a profile whose values cannot work together (InvalidInput)."""
    if not spec.name.strip() or len(spec.name) > 64:
        raise InvalidInput(ErrorCode.PROFILE_NAME_LENGTH)
    if len(spec.description) > 255:
        raise InvalidInput(ErrorCode.DESCRIPTION_TOO_LONG)
    for value in (spec.session_timeout, spec.idle_timeout, spec.validity_seconds):
        if value is not None and value <= 0:
            raise InvalidInput(ErrorCode.TIMEOUTS_NOT_POSITIVE)
    if spec.rate_limit:
        check_rate_limit(spec.rate_limit)
    if spec.throttle_rate_limit:
        check_rate_limit(spec.throttle_rate_limit)
    if spec.after_quota is AfterQuota.THROTTLE and not spec.throttle_rate_limit:
        raise InvalidInput(ErrorCode.THROTTLE_NEEDS_RATE)
    if spec.devices_at_once < 1:
        raise InvalidInput(ErrorCode.DEVICES_AT_LEAST_ONE)
    if spec.interim_interval < 60:
        raise InvalidInput(ErrorCode.INTERIM_TOO_SHORT)
    if spec.remember_device_days < 0:
        raise InvalidInput(ErrorCode.REMEMBER_DAYS_NEGATIVE)
    periods = [q.period for q in spec.quotas]
    if len(periods) != len(set(periods)):
        raise InvalidInput(ErrorCode.ONE_QUOTA_PER_PERIOD)
    for quota in spec.quotas:
        if quota.data_bytes is None and quota.time_seconds is None:
            raise InvalidInput(ErrorCode.QUOTA_LIMITS_NOTHING, period=Message(str(quota.period)))
        if (quota.data_bytes is not None and quota.data_bytes <= 0) or (
            quota.time_seconds is not None and quota.time_seconds <= 0
        ):
            raise InvalidInput(ErrorCode.QUOTAS_NOT_POSITIVE)
