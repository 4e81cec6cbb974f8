"""New and returning devices: the first local day each device was online at a site
(`stats_site_devices`). On a site-day, the devices whose first day it is are new; the others
(devices - new) are returning.

The rollup keeps each device's first day as the earliest day it was online among the site-days
it recomputes: whatever order accounting arrives in (late records a week after a satellite
outage), the result is the earliest day of all, as a full recomputation gives. That holds
because a device's days at a site only ever grow: sessions are never deleted, their start is
fixed when first recorded, and their length only grows. Should sessions ever be deleted
(retention) or a site's zone change, its first days must be rebuilt from its sessions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Table, case, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from wifidesa.db.models import SiteDay, SiteDevice
from wifidesa.stats.digests import unpack

if TYPE_CHECKING:
    from wifidesa.stats.rollup import Fetch

TABLE = cast(Table, SiteDevice.__table__)
# Digests per lookup of stored first days (bound parameters stay well under SQLite's limit).
LOOKUP = 2_000


def plan_first_days(*, fetch: Fetch, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The first days that recomputed site-day `rows` make earlier (or new), reading only:
    a busy round sees ~60 devices a site, nearly all with an earlier first day, and writing
    only the changes keeps the write transaction short."""
    earliest: dict[int, dict[int, date]] = defaultdict(dict)
    for row in rows:
        of_site = earliest[row["site_id"]]
        for value in unpack(row["device_digests"]):
            if value not in of_site or row["day"] < of_site[value]:
                of_site[value] = row["day"]
    changes = []
    for sites in _batches(earliest):
        # Sites and digests of a batch, crossed: a superset of the pairs wanted (a device seen
        # at two sites of the batch), filtered below. One query for ~30 busy sites, not 30.
        digests = sorted({value for site_id in sites for value in earliest[site_id]})
        stored = {
            (row.site_id, row.digest): row.first_day
            for start in range(0, len(digests), LOOKUP)  # more than one: a site of its own
            for row in fetch(
                select(SiteDevice.site_id, SiteDevice.digest, SiteDevice.first_day).where(
                    SiteDevice.site_id.in_(sites),
                    SiteDevice.digest.in_(digests[start : start + LOOKUP]),
                )
            )
        }
        for site_id in sites:
            for value, day in sorted(earliest[site_id].items()):
                known = stored.get((site_id, value))
                if known is None or day < known:
                    changes.append({"site_id": site_id, "digest": value, "first_day": day})
    return changes


def _batches(earliest: dict[int, dict[int, date]]) -> list[list[int]]:
    """Sites in batches of at most LOOKUP digests (a site with more is a batch of its own)."""
    batches: list[list[int]] = [[]]
    size = 0
    for site_id, of_site in sorted(earliest.items()):
        if batches[-1] and size + len(of_site) > LOOKUP:
            batches.append([])
            size = 0
        batches[-1].append(site_id)
        size += len(of_site)
    return [batch for batch in batches if batch]


def store_first_days(*, session: Session, changes: list[dict[str, Any]]) -> None:
    """Write planned first days, in the caller's transaction. Each keeps the earlier of the
    stored and the planned day, so a plan read before another round's write cannot move a
    first day later."""
    if not changes:
        return
    dialect = session.get_bind().dialect.name
    stmt = (pg_insert if dialect == "postgresql" else sqlite_insert)(TABLE)
    stmt = stmt.on_conflict_do_update(
        index_elements=["site_id", "digest"],
        set_={
            "first_day": case(
                (stmt.excluded.first_day < TABLE.c.first_day, stmt.excluded.first_day),
                else_=TABLE.c.first_day,
            )
        },
    )
    session.execute(stmt, changes)


@dataclass(frozen=True)
class DeviceDay:
    """Devices online at a site on a local day: new (first seen there that day) and returning."""

    site_id: int
    day: date
    devices: int
    new: int

    @property
    def returning(self) -> int:
        return self.devices - self.new


def device_days(
    *, session: Session, site_ids: Collection[int], first: date, last: date
) -> list[DeviceDay]:
    """Devices, new and returning per site-day of these sites from `first` to `last`
    (inclusive), by site and day; a site-day without a row (no data or no use) has none."""
    ids = sorted(set(site_ids))
    if not ids:
        return []
    new = {
        (row.site_id, row.first_day): row.new
        for row in session.execute(
            select(SiteDevice.site_id, SiteDevice.first_day, func.count().label("new"))
            .where(
                SiteDevice.site_id.in_(ids),
                SiteDevice.first_day >= first,
                SiteDevice.first_day <= last,
            )
            .group_by(SiteDevice.site_id, SiteDevice.first_day)
        )
    }
    rows = session.execute(
        select(SiteDay.site_id, SiteDay.day, SiteDay.devices)
        .where(SiteDay.site_id.in_(ids), SiteDay.day >= first, SiteDay.day <= last)
        .order_by(SiteDay.site_id, SiteDay.day)
    )
    return [
        DeviceDay(row.site_id, row.day, row.devices, new.get((row.site_id, row.day), 0))
        for row in rows
    ]
