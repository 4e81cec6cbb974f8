"""Profiles in the JSON API. Sizes and durations are numbers (bytes, seconds) or text as on the
form ("1G", "2h", "7d")."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from portal.admin.api_auth import api_caller
from portal.admin.web import Admin
from portal.database import transaction
from wifidesa.admin.scope import profile_editable
from wifidesa.db.models import AfterQuota, Profile, QuotaPeriod
from wifidesa.errors import AlreadyExists, InvalidInput
from wifidesa.profiles import operations as profile_ops
from wifidesa.profiles.rules import ProfileSpec, Quota
from wifidesa.units import parse_duration, parse_size

api = APIRouter(prefix="/api", tags=["profiles"])
Caller = Annotated[Admin, Depends(api_caller)]
REFUSED: dict[int | str, dict[str, Any]] = {
    409: {"description": "a profile with this name exists"},
    422: {"description": "invalid input"},
}
Size = Annotated[int | str, Field(examples=[1073741824, "1G"])]
Duration = Annotated[int | str, Field(examples=[7200, "2h"])]


class QuotaIO(BaseModel):
    period: QuotaPeriod
    data_bytes: Size | None = None
    time_seconds: Duration | None = None


class ProfileIn(BaseModel):
    name: str
    description: str = ""
    rate_limit: str | None = Field(None, examples=["1M/4M"], description="up/down (MikroTik rx/tx)")
    session_timeout: Duration | None = None
    idle_timeout: Duration | None = None
    interim_interval: Duration = 300
    devices_at_once: int = 1
    validity_seconds: Duration | None = None
    after_quota: AfterQuota = AfterQuota.BLOCK
    throttle_rate_limit: str | None = None
    remember_device_days: int = 0
    quotas: list[QuotaIO] = []


class ProfileOut(BaseModel):
    id: int
    name: str
    description: str
    rate_limit: str | None
    session_timeout: int | None
    idle_timeout: int | None
    interim_interval: int
    devices_at_once: int
    validity_seconds: int | None
    after_quota: AfterQuota
    throttle_rate_limit: str | None
    remember_device_days: int
    quotas: list[QuotaIO]
    region_id: int | None = Field(description="the kabupaten that defined it; null: province")
    editable: bool = Field(description="whether the caller may change it")


def _seconds(value: int | str | None) -> int | None:
    if value is None or isinstance(value, int):
        return value
    return parse_duration(value)


def _bytes(value: int | str | None) -> int | None:
    if value is None or isinstance(value, int):
        return value
    return parse_size(value)


def _spec(body: ProfileIn) -> ProfileSpec:
    return ProfileSpec(
        name=body.name,
        description=body.description,
        rate_limit=body.rate_limit or None,
        session_timeout=_seconds(body.session_timeout),
        idle_timeout=_seconds(body.idle_timeout),
        interim_interval=_seconds(body.interim_interval) or 300,
        devices_at_once=body.devices_at_once,
        validity_seconds=_seconds(body.validity_seconds),
        after_quota=body.after_quota,
        throttle_rate_limit=body.throttle_rate_limit or None,
        remember_device_days=body.remember_device_days,
        quotas=tuple(
            Quota(q.period, _bytes(q.data_bytes), _seconds(q.time_seconds)) for q in body.quotas
        ),
    )


def _out(caller: Admin, profile: Profile) -> ProfileOut:
    spec = profile_ops.spec_of(profile)
    return ProfileOut(
        id=profile.id,
        **{k: v for k, v in spec.__dict__.items() if k != "quotas"},
        quotas=[QuotaIO(**q.__dict__) for q in spec.quotas],
        editable=profile_editable(caller.scope, profile),
    )


def _refused(exc: InvalidInput | AlreadyExists) -> JSONResponse:
    return JSONResponse({"detail": str(exc)}, 409 if isinstance(exc, AlreadyExists) else 422)


@api.get("/profiles", response_model=list[ProfileOut])
def list_profiles(request: Request, caller: Caller) -> list[ProfileOut]:
    """The profiles the caller may give to residents and vouchers."""
    with transaction(request) as session:
        found = profile_ops.list_usable_profiles(session=session, scope=caller.scope)
        return [_out(caller, p) for p in found]


@api.post("/profiles", response_model=ProfileOut, status_code=201, responses=REFUSED)
def create_profile(request: Request, caller: Caller, body: ProfileIn) -> Response:
    """Province admins: a province-wide profile; kabupaten admins: their kabupaten's."""
    try:
        spec = _spec(body)
        with transaction(request) as session:
            profile = profile_ops.create_profile(session=session, scope=caller.scope, spec=spec)
            created = _out(caller, profile)
    except (InvalidInput, AlreadyExists) as exc:
        return _refused(exc)
    return JSONResponse(created.model_dump(mode="json"), status_code=201)


@api.get("/profiles/{profile_id}", response_model=ProfileOut)
def get_profile(request: Request, caller: Caller, profile_id: int) -> ProfileOut:
    with transaction(request) as session:
        profile = profile_ops.get_usable_profile(
            session=session, scope=caller.scope, profile_id=profile_id
        )
        return _out(caller, profile)


@api.put("/profiles/{profile_id}", response_model=ProfileOut, responses=REFUSED)
def update_profile(request: Request, caller: Caller, profile_id: int, body: ProfileIn) -> Response:
    """Replace every value of the profile (its quotas too)."""
    try:
        spec = _spec(body)
        with transaction(request) as session:
            profile = profile_ops.update_profile(
                session=session, scope=caller.scope, profile_id=profile_id, spec=spec
            )
            session.flush()
            session.refresh(profile)
            updated = _out(caller, profile)
    except (InvalidInput, AlreadyExists) as exc:
        return _refused(exc)
    return JSONResponse(updated.model_dump(mode="json"))
