"""Demo data for a first look: one desa with a router, profiles, vouchers and an admin."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wifidesa.admin.scope import OPERATOR
from wifidesa.admin.users import add_admin
from wifidesa.crypto import SecretBox
from wifidesa.db.models import AdminRole, AfterQuota, QuotaPeriod, Site
from wifidesa.places.routers import RouterSpec, create_router
from wifidesa.places.sites import SiteSpec, create_site
from wifidesa.profiles.operations import create_profile, require_profile_named
from wifidesa.profiles.rules import ProfileSpec, Quota
from wifidesa.settings import Settings
from wifidesa.units import parse_size
from wifidesa.vouchers.codes import format_code
from wifidesa.vouchers.stock import generate

DEMO_SITE = SiteSpec(
    desa_code="64.03.99.2001",
    desa_name="Desa Contoh Wifidesa",
    kecamatan_name="Kecamatan Contoh",
    site_code="demo",
)


@dataclass(frozen=True)
class Seeded:
    site_code: str
    router_name: str
    router_ip: str
    router_secret: str
    admin_username: str
    admin_password: str
    operator_username: str
    operator_password: str
    voucher_codes: list[str]


# `make run` starts simulated routers (the RouterOS double) where the demo's routers have
# their management address, so the fleet page shows live states: one per village, on
# 127.0.2.1, 127.0.2.2, ... (scripts/run.sh), except the village that is never heard.
DEMO_API_FIRST = "127.0.2.1"
DEMO_API_PORT = 18728
DEMO_API_USER = "admin"
DEMO_API_PASSWORD = "demo-routeros"  # noqa: S105 - the simulated routers', on loopback only


def demo_api(number: int) -> dict[str, Any]:
    """The API settings of the demo's router `number` (1: the demo village's)."""
    return {
        "api_host": f"127.0.2.{number}",
        "api_port": DEMO_API_PORT,
        "api_use_ssl": False,
        "api_username": DEMO_API_USER,
        "api_password": DEMO_API_PASSWORD,
    }


def is_empty(*, session: Session) -> bool:
    return not session.scalar(select(func.count()).select_from(Site))


def seed(*, session: Session, box: SecretBox, voucher_count: int = 10) -> Seeded:
    """Seed the demo into an empty database (the caller checks `is_empty`)."""
    site = create_site(session=session, scope=OPERATOR, spec=DEMO_SITE)
    router, secret = create_router(
        session=session,
        scope=OPERATOR,
        box=box,
        site_id=site.id,
        spec=RouterSpec(
            name="demo-router",
            ip_address="127.0.0.1",
            hotspot_address="10.5.50.1",
            **demo_api(1),
        ),
    )
    create_profile(
        session=session,
        scope=OPERATOR,
        spec=ProfileSpec(
            name="harian-1gb",
            description="1 GB per hari, lalu diperlambat",
            rate_limit="1M/2M",
            idle_timeout=900,
            validity_seconds=86400,
            devices_at_once=1,
            after_quota=AfterQuota.THROTTLE,
            throttle_rate_limit="128k/256k",
            quotas=(Quota(period=QuotaPeriod.DAY, data_bytes=parse_size("1G")),),
        ),
    )
    create_profile(
        session=session,
        scope=OPERATOR,
        spec=ProfileSpec(
            name="warga-bulanan",
            description="Warga: 10 GB per bulan, 2 perangkat",
            rate_limit="1M/2M",
            devices_at_once=2,
            remember_device_days=30,
            quotas=(
                Quota(period=QuotaPeriod.DAY, data_bytes=parse_size("1G")),
                Quota(period=QuotaPeriod.MONTH, data_bytes=parse_size("10G")),
            ),
        ),
    )
    create_profile(
        session=session,
        scope=OPERATOR,
        spec=ProfileSpec(
            name="gratis-30-menit",
            description="Akses gratis 30 menit per hari",
            rate_limit="512k/1M",
            session_timeout=1800,
            quotas=(Quota(period=QuotaPeriod.DAY, time_seconds=1800),),
        ),
    )
    harian = require_profile_named(session=session, scope=OPERATOR, name="harian-1gb")
    _, codes = generate(
        session=session,
        scope=OPERATOR,
        site_id=site.id,
        profile_id=harian.id,
        count=voucher_count,
        note="demo",
    )
    password = secrets.token_urlsafe(12)
    admin = add_admin(
        session=session,
        scope=OPERATOR,
        username="admin",
        password=password,
        role=AdminRole.PROVINCE,
        full_name="Admin Demo",
    )
    operator_password = secrets.token_urlsafe(12)
    operator = add_admin(
        session=session,
        scope=OPERATOR,
        username="operator-demo",
        password=operator_password,
        role=AdminRole.DESA,
        sites=[site],
        full_name="Operator Desa Contoh",
    )
    return Seeded(
        site_code=site.code,
        router_name=router.name,
        router_ip=router.ip_address,
        router_secret=secret,
        admin_username=admin.username,
        admin_password=password,
        operator_username=operator.username,
        operator_password=operator_password,
        voucher_codes=codes,
    )


def describe(seeded: Seeded, settings: Settings) -> str:
    """What was seeded and what to try next, for the terminal."""
    shown = "\n".join(f"    {format_code(c)}" for c in seeded.voucher_codes[:5])
    return f"""Demo data seeded.
  site:     {seeded.site_code} (Desa Contoh Wifidesa, Kabupaten Kutai Kartanegara)
  router:   {seeded.router_name} at {seeded.router_ip}, RADIUS secret {seeded.router_secret}
  admin:    {seeded.admin_username} / {seeded.admin_password}   (shown once; province role)
  operator: {seeded.operator_username} / {seeded.operator_password}   (shown once; desa admin)
  admin UI: {settings.public_url}/admin/   (JSON API described at {settings.public_url}/docs)
  statistics: {settings.public_url}/admin/stats   (a month of usage in six more villages)
  profiles: harian-1gb, warga-bulanan, gratis-30-menit
  vouchers: {len(seeded.voucher_codes)} for harian-1gb, e.g.
{shown}
Try:
  wifidesa serve                       # web at {settings.public_url}, RADIUS on UDP 1812/1813
  wifidesa simulate --router demo-router --clients 5   # (with serve running) a router's logins
  wifidesa sites list; wifidesa routers list; wifidesa profiles list
  wifidesa vouchers generate --site {seeded.site_code} --profile harian-1gb \\
      --count 50 --csv v.csv"""
