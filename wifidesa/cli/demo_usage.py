"""A month of village Wi-Fi for the demo, so the statistics pages have something to show:
six more villages in three kabupaten, each with a router, and thirty days of sessions stored
through the real accounting path and rolled up. Evenings are busy, weekends busier, one
village fell silent five days ago and one was never used."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import insert
from sqlalchemy.orm import Session

from wifidesa.admin.scope import OPERATOR
from wifidesa.cli.demo_data import demo_api
from wifidesa.crypto import SecretBox
from wifidesa.db.models import LoginCount
from wifidesa.localtime import local_day, local_midnight
from wifidesa.places.routers import RouterSpec, create_router
from wifidesa.places.sites import SiteSpec, create_site
from wifidesa.settings import DEFAULT_TIMEZONE
from wifidesa.stats.dirty import roll_up_dirty
from wifidesa.usage.accounting import record_accounting
from wifidesa.usage.records import AcctEvent, AcctRecord

DAYS = 30
KINDS = ("voucher", "resident", "free", "remembered_device")
REFUSALS = ("bad_credentials", "quota_exceeded", "expired", "other_device")
# Share of a village's sessions starting in each local hour: quiet at night, busy after
# school and in the evening.
HOUR_WEIGHTS = (1, 1, 1, 1, 1, 2, 4, 5, 5, 5, 5, 6, 7, 7, 7, 8, 9, 10, 12, 14, 14, 11, 6, 3)


@dataclass(frozen=True)
class DemoVillage:
    desa_code: str
    desa_name: str
    kecamatan_name: str
    sessions_a_day: int  # on a weekday; weekends a third more
    silent_days: int = 0  # the last days without accounting (a router down)


VILLAGES = (
    DemoVillage("64.03.99.2002", "Desa Muara Kaman Ulu", "Kecamatan Contoh", 45),
    DemoVillage("64.03.98.2001", "Desa Sebulu Modern", "Kecamatan Contoh Dua", 25),
    DemoVillage("64.02.99.2001", "Desa Linggang Bigung", "Kecamatan Contoh Barat", 30, 5),
    DemoVillage("64.02.99.2002", "Desa Barong Tongkok", "Kecamatan Contoh Barat", 12),
    DemoVillage("64.05.99.2001", "Desa Tanjung Batu", "Kecamatan Contoh Pesisir", 20),
    DemoVillage("64.05.99.2002", "Desa Pulau Derawan", "Kecamatan Contoh Pesisir", 0),
)


def _logins(rng: random.Random, site_id: int, records: list[AcctRecord]) -> list[dict[str, object]]:
    """What the RADIUS service would have counted: a login per session (mostly vouchers,
    some residents and remembered devices) and the refusals around them."""
    per_day: dict[tuple[date, str], int] = defaultdict(int)
    for record in records:
        day = local_day(record.event_time, DEFAULT_TIMEZONE)
        kind = rng.choices(KINDS, (70, 15, 5, 10))[0]
        per_day[(day, f"accepted:{kind}")] += 1
        if rng.random() < 0.12:
            per_day[(day, f"refused:{rng.choices(REFUSALS, (6, 2, 2, 1))[0]}")] += 1
    return [
        {"site_id": site_id, "day": day, "outcome": outcome, "count": count}
        for (day, outcome), count in sorted(per_day.items())
    ]


def seed_usage(*, session: Session, box: SecretBox, now: datetime, seed: int = 64) -> int:
    """Add the villages and their month of sessions, rolled up; returns the sessions stored."""
    rng = random.Random(seed)  # noqa: S311 - demo figures, not secrets
    today = local_day(now, DEFAULT_TIMEZONE)
    stored = 0
    for number, village in enumerate(VILLAGES, start=2):
        site = create_site(
            session=session,
            scope=OPERATOR,
            spec=SiteSpec(
                desa_code=village.desa_code,
                desa_name=village.desa_name,
                kecamatan_name=village.kecamatan_name,
                site_code=f"demo-{number}",
            ),
        )
        router, _secret = create_router(
            session=session,
            scope=OPERATOR,
            box=box,
            site_id=site.id,
            spec=RouterSpec(
                name=f"demo-router-{number}",
                ip_address=f"127.0.0.{number}",
                hotspot_address="10.5.50.1",
                # the village never heard has no management address either
                **(demo_api(number) if village.sessions_a_day else {}),
            ),
        )
        devices = [
            f"02:de:00:00:{number:02x}:{n:02x}" for n in range(max(5, village.sessions_a_day))
        ]
        records = []
        for back in range(DAYS, village.silent_days, -1):
            day = today - timedelta(days=back - 1)
            count = village.sessions_a_day * (4 if day.weekday() >= 5 else 3) // 3
            midnight = local_midnight(day, DEFAULT_TIMEZONE)
            for n in range(round(count * rng.uniform(0.7, 1.2))):
                hour = rng.choices(range(24), HOUR_WEIGHTS)[0]
                start = midnight + timedelta(hours=hour, seconds=rng.randrange(3600))
                seconds = int(rng.lognormvariate(7.3, 0.9))  # a median of about 25 minutes
                stop = start + timedelta(seconds=seconds)
                if stop >= now:
                    continue
                records.append(
                    AcctRecord(
                        event=AcctEvent.STOP,
                        router_id=router.id,
                        site_id=site.id,
                        event_time=stop,
                        acct_session_id=f"de{number:02d}{back:02d}{n:04d}",
                        username=f"tamu{n}",
                        mac=rng.choice(devices),
                        session_time=seconds,
                        input_octets=seconds * rng.randrange(2_000, 15_000),
                        output_octets=seconds * rng.randrange(20_000, 150_000),
                    )
                )
        record_accounting(session=session, records=records, box=box, now=now)
        stored += len(records)
        logins = _logins(rng, site.id, records)
        if logins:
            session.execute(insert(LoginCount), logins)
    roll_up_dirty(session=session)
    return stored
