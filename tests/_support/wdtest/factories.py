"""Small factories that build test data through the real domain services."""

from __future__ import annotations

import itertools

from sqlalchemy.orm import Session

from wifidesa.crypto import SecretBox
from wifidesa.db.models import AfterQuota, Profile, QuotaPeriod, Router, Site
from wifidesa.places.routers import RouterSpec, add_router
from wifidesa.places.sites import SiteSpec, add_site
from wifidesa.profiles.definitions import ProfileSpec, Quota, add_profile

_seq = itertools.count(1)


def make_site(
    session: Session, *, code: str | None = None, kabupaten: str = "64.03", kecamatan: str = "01"
) -> Site:
    n = next(_seq)
    desa_code = f"{kabupaten}.{kecamatan}.{2000 + n:04d}"
    return add_site(
        session=session,
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
    **kwargs: object,
) -> Router:
    site = site or make_site(session)
    n = next(_seq)
    router, _ = add_router(
        session=session,
        box=box,
        spec=RouterSpec(
            site_code=site.code,
            name=f"router{n}",
            ip_address=ip or f"10.64.{n // 250}.{n % 250 + 1}",
            secret=secret,
            **kwargs,
        ),
    )  # type: ignore[arg-type]
    return router


def make_profile(
    session: Session,
    *,
    name: str | None = None,
    daily_bytes: int | None = None,
    after_quota: AfterQuota = AfterQuota.BLOCK,
    **kwargs: object,
) -> Profile:
    quotas = (Quota(period=QuotaPeriod.DAY, data_bytes=daily_bytes),) if daily_bytes else ()
    if after_quota is AfterQuota.THROTTLE:
        kwargs.setdefault("throttle_rate_limit", "128k/256k")
    return add_profile(
        session=session,
        spec=ProfileSpec(
            name=name or f"profile{next(_seq)}",
            rate_limit="1M/2M",
            after_quota=after_quota,
            quotas=quotas,
            **kwargs,
        ),
    )  # type: ignore[arg-type]
