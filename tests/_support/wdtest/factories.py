"""Small factories that build test data through the real domain services.

They call the same scoped operations as the admin UI, the API and the CLI, with the
operator's scope (OPERATOR), and take codes and names where tests find them handier than ids.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from wifidesa.admin.scope import OPERATOR, require_site_code
from wifidesa.admin.users import add_admin
from wifidesa.crypto import SecretBox
from wifidesa.db.models import (
    AdminRole,
    AdminUser,
    AfterQuota,
    Member,
    Profile,
    QuotaPeriod,
    RegionLevel,
    Router,
    Site,
    VoucherBatch,
)
from wifidesa.members.residents import create_member
from wifidesa.places.regions import get_region
from wifidesa.places.routers import RouterSpec, create_router
from wifidesa.places.sites import SiteSpec, create_site
from wifidesa.profiles.operations import create_profile, require_profile_named
from wifidesa.profiles.rules import ProfileSpec, Quota
from wifidesa.vouchers.codes import Progress
from wifidesa.vouchers.stock import generate

_seq = itertools.count(1)
HOTSPOT_ADDRESS = "10.5.50.1"


def make_site(
    session: Session, *, code: str | None = None, kabupaten: str = "64.03", kecamatan: str = "01"
) -> Site:
    n = next(_seq)
    desa_code = f"{kabupaten}.{kecamatan}.{2000 + n:04d}"
    return create_site(
        session=session,
        scope=OPERATOR,
        spec=SiteSpec(
            desa_code=desa_code,
            desa_name=f"Desa Uji {n}",
            kecamatan_name=f"Kecamatan {kecamatan}",
            site_code=code or f"site{n}",
        ),
    )


def make_router(
    session: Session,
    box: SecretBox,
    *,
    site: Site | None = None,
    ip: str | None = None,
    secret: str = "",
    hotspot_address: str = HOTSPOT_ADDRESS,
    **kwargs: Any,
) -> Router:
    site = site or make_site(session)
    n = next(_seq)
    router, _ = create_router(
        session=session,
        scope=OPERATOR,
        box=box,
        site_id=site.id,
        spec=RouterSpec(
            name=f"router{n}",
            ip_address=ip or f"10.64.{n // 250}.{n % 250 + 1}",
            hotspot_address=hotspot_address,
            secret=secret,
            **kwargs,
        ),
    )
    return router


def make_profile(
    session: Session,
    *,
    name: str | None = None,
    daily_bytes: int | None = None,
    after_quota: AfterQuota = AfterQuota.BLOCK,
    **kwargs: Any,
) -> Profile:
    quotas = (Quota(period=QuotaPeriod.DAY, data_bytes=daily_bytes),) if daily_bytes else ()
    if after_quota is AfterQuota.THROTTLE:
        kwargs.setdefault("throttle_rate_limit", "128k/256k")
    return create_profile(
        session=session,
        scope=OPERATOR,
        spec=ProfileSpec(
            name=name or f"profile{next(_seq)}",
            rate_limit="1M/2M",
            after_quota=after_quota,
            quotas=quotas,
            **kwargs,
        ),
    )


def make_batch(
    *,
    session: Session,
    site_code: str,
    profile_name: str,
    count: int,
    prefix: str = "",
    note: str = "",
    use_by: date | None = None,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> tuple[VoucherBatch, list[str]]:
    """A batch of vouchers, generated as the CLI's `vouchers generate` does."""
    site = require_site_code(session=session, scope=OPERATOR, code=site_code)
    profile = require_profile_named(session=session, scope=OPERATOR, name=profile_name)
    return generate(
        session=session,
        scope=OPERATOR,
        site_id=site.id,
        profile_id=profile.id,
        count=count,
        prefix=prefix,
        note=note,
        use_by=use_by,
        progress=progress,
        now=now,
    )


def make_member(
    *,
    session: Session,
    site_code: str,
    profile_name: str,
    username: str,
    password: str,
    full_name: str = "",
    phone: str | None = None,
) -> Member:
    """A resident, created as an admin creates one."""
    site = require_site_code(session=session, scope=OPERATOR, code=site_code)
    profile = require_profile_named(session=session, scope=OPERATOR, name=profile_name)
    return create_member(
        session=session,
        scope=OPERATOR,
        site_id=site.id,
        profile_id=profile.id,
        username=username,
        password=password,
        full_name=full_name,
        phone=phone,
    )


def make_admin(
    *,
    session: Session,
    username: str,
    password: str,
    role: AdminRole,
    region_code: str | None = None,
    site_codes: Sequence[str] = (),
    full_name: str = "",
) -> AdminUser:
    """An admin user, created as `wifidesa admins add` creates one."""
    region = None
    if region_code:
        region = get_region(session=session, code=region_code, level=RegionLevel.KABUPATEN)
    sites = [require_site_code(session=session, scope=OPERATOR, code=c) for c in site_codes]
    return add_admin(
        session=session,
        scope=OPERATOR,
        username=username,
        password=password,
        role=role,
        region=region,
        sites=sites,
        full_name=full_name,
    )
