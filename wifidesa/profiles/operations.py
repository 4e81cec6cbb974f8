"""Profiles (paket): define, change, list and look up — one function per operation, within
the caller's scope. Province admins (and the CLI's OPERATOR) define province-wide ones,
kabupaten admins their kabupaten's; desa admins only pick among those (scope.profile_filter).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session, selectinload

from wifidesa.admin import audit
from wifidesa.admin.scope import (
    Forbidden,
    Scope,
    profile_editable,
    profile_filter,
    require_oversight,
)
from wifidesa.db.models import Profile, ProfileLimit
from wifidesa.errors import AlreadyExists, ErrorCode, NotFound
from wifidesa.profiles.rules import ProfileSpec, Quota, check_spec

# The fields an edit may change (everything but where the profile belongs).
EDITABLE = (
    "name",
    "description",
    "rate_limit",
    "session_timeout",
    "idle_timeout",
    "interim_interval",
    "devices_at_once",
    "validity_seconds",
    "after_quota",
    "throttle_rate_limit",
    "remember_device_days",
)


def list_usable_profiles(*, session: Session, scope: Scope) -> list[Profile]:
    """The profiles the admin may give out, by name, with their quotas loaded."""
    query = (
        select(Profile)
        .where(profile_filter(scope))
        .order_by(Profile.name)
        .options(selectinload(Profile.limits))
    )
    return list(session.scalars(query))


def _usable(
    session: Session, scope: Scope, which: ColumnElement[bool], missing: NotFound
) -> Profile:
    query = select(Profile).where(which, profile_filter(scope))
    profile = session.scalar(query.options(selectinload(Profile.limits)))
    if profile is None:
        raise missing
    return profile


def get_usable_profile(*, session: Session, scope: Scope, profile_id: int) -> Profile:
    """A profile the admin may see; NotFound for another kabupaten's (and unknown ids)."""
    missing = NotFound(ErrorCode.PROFILE_ID_NOT_FOUND, profile_id=profile_id)
    return _usable(session, scope, Profile.id == profile_id, missing)


def spec_of(profile: Profile) -> ProfileSpec:
    """A profile's current values as a spec (to fill an edit form)."""
    limits = sorted(profile.limits, key=lambda q: q.period)
    return ProfileSpec(
        name=profile.name,
        description=profile.description,
        rate_limit=profile.rate_limit,
        session_timeout=profile.session_timeout,
        idle_timeout=profile.idle_timeout,
        interim_interval=profile.interim_interval,
        devices_at_once=profile.devices_at_once,
        validity_seconds=profile.validity_seconds,
        after_quota=profile.after_quota,
        throttle_rate_limit=profile.throttle_rate_limit,
        remember_device_days=profile.remember_device_days,
        quotas=tuple(Quota(q.period, q.data_bytes, q.time_seconds) for q in limits),
        region_id=profile.region_id,
    )


def create_profile(*, session: Session, scope: Scope, spec: ProfileSpec) -> Profile:
    """A new profile: a kabupaten admin's belongs to their kabupaten; a province admin's is
    province-wide unless `spec.region_id` names a kabupaten."""
    require_oversight(scope)
    check_spec(spec)
    if session.scalar(select(Profile.id).where(Profile.name == spec.name.strip())) is not None:
        raise AlreadyExists(ErrorCode.PROFILE_EXISTS, name=spec.name)
    region_id = spec.region_id if scope.everything else scope.region_id
    profile = Profile(
        name=spec.name.strip(),
        description=spec.description,
        rate_limit=spec.rate_limit,
        session_timeout=spec.session_timeout,
        idle_timeout=spec.idle_timeout,
        interim_interval=spec.interim_interval,
        devices_at_once=spec.devices_at_once,
        validity_seconds=spec.validity_seconds,
        after_quota=spec.after_quota,
        throttle_rate_limit=spec.throttle_rate_limit,
        remember_device_days=spec.remember_device_days,
        region_id=region_id,
        limits=[
            ProfileLimit(period=q.period, data_bytes=q.data_bytes, time_seconds=q.time_seconds)
            for q in spec.quotas
        ],
    )
    session.add(profile)
    session.flush()
    audit.record(
        session=session,
        action="profiles.add",
        actor=scope,
        object_type="profile",
        object_id=profile.name,
    )
    return profile


def require_profile_named(*, session: Session, scope: Scope, name: str) -> Profile:
    """The profile of this name if the caller may use it; NotFound otherwise (the CLI and
    the API name profiles)."""
    missing = NotFound(ErrorCode.PROFILE_NAME_NOT_FOUND, name=name)
    return _usable(session, scope, Profile.name == name, missing)


def update_profile(
    *, session: Session, scope: Scope, profile_id: int, spec: ProfileSpec
) -> Profile:
    """Change every value of a profile at once (not where it belongs: `spec.region_id` is
    ignored). Sessions already online keep their limits until they log in again."""
    profile = get_usable_profile(session=session, scope=scope, profile_id=profile_id)
    if not profile_editable(scope, profile):
        raise Forbidden(ErrorCode.PROFILE_OWNERS_ONLY)
    check_spec(spec)
    name = spec.name.strip()
    clash = session.scalar(select(Profile.id).where(Profile.name == name, Profile.id != profile.id))
    if clash is not None:
        raise AlreadyExists(ErrorCode.PROFILE_EXISTS, name=name)
    before = spec_of(profile)
    for field in EDITABLE:
        setattr(profile, field, getattr(spec, field))
    profile.name = name
    _replace_limits(session, profile, spec)
    after = spec_of(profile)
    changed = [f for f in (*EDITABLE, "quotas") if getattr(before, f) != getattr(after, f)]
    audit.record(
        session=session,
        action="profiles.edit",
        actor=scope,
        object_type="profile",
        object_id=profile.name,
        changed=changed,
    )
    return profile


def _replace_limits(session: Session, profile: Profile, spec: ProfileSpec) -> None:
    wanted = {q.period: q for q in spec.quotas}
    # Delete first (and flush): a period kept on (profile, period) must not clash with itself.
    for gone in [q for q in profile.limits if q.period not in wanted]:
        profile.limits.remove(gone)
    session.flush()
    existing = {q.period: q for q in profile.limits}
    for period, quota in wanted.items():
        limit = existing.get(period)
        if limit is None:
            profile.limits.append(
                ProfileLimit(
                    period=period, data_bytes=quota.data_bytes, time_seconds=quota.time_seconds
                )
            )
        else:
            limit.data_bytes, limit.time_seconds = quota.data_bytes, quota.time_seconds
    session.flush()
