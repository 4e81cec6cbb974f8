"""Usage at village A of the admin test world, stored and rolled up as accounting would, for
the statistics pages' tests."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from wdtest.admin_world import World
from wifidesa.crypto import SecretBox
from wifidesa.db.engine import transaction, utcnow
from wifidesa.db.models import Router
from wifidesa.localtime import local_day, local_midnight
from wifidesa.stats.dirty import roll_up_dirty
from wifidesa.usage.accounting import record_accounting
from wifidesa.usage.records import AcctEvent, AcctRecord

WITA = "Asia/Makassar"


def village_a_used(
    sessions: sessionmaker[Session], world: World, box: SecretBox, *, first: int = 0, count: int = 3
) -> date:
    """`count` two-hour sessions at village A (numbered from `first`), 1.5 GB each, ended at
    noon (WITA) two days ago (the world's own sessions started minutes ago), rolled up;
    returns that day."""
    now = utcnow()
    day = local_day(now, WITA) - timedelta(days=2)
    noon = local_midnight(day, WITA) + timedelta(hours=12)
    with transaction(sessions) as session:
        router = session.scalars(select(Router).where(Router.site_id == world.ids["site_a"])).one()
        records = [
            AcctRecord(
                event=AcctEvent.STOP,
                router_id=router.id,
                site_id=router.site_id,
                event_time=noon - timedelta(minutes=n),
                acct_session_id=f"stats-page-{n}",
                username="tamu",
                mac=f"02:00:00:00:0a:{n:02x}",
                session_time=7200,
                input_octets=5 * 10**8,
                output_octets=10**9,
            )
            for n in range(first, first + count)
        ]
        record_accounting(session=session, records=records, box=box, now=now)
        roll_up_dirty(session=session)
    return day
