"""Devices of a province or kabupaten per local day as HyperLogLog sketches
(`stats_area_day_sketches`, wifidesa.stats.hll): distinct devices over a year of the
province merge 365 sketches of 8 KiB instead of reading ~22 million device-days. The same
read of a day's site-days gives the area-days' sums (wifidesa.stats.area_days).

The rollup recomputes the sketches of the areas and days of the site-days it recomputes, from
every site's device digests of that day (the round's new ones, the stored ones of the others),
so late accounting lands in its day's sketch as in its site-day. One rollup runs at a time
(the stats service); two at once could each miss the other's site-days until the day is
recomputed again. A site moved to another region moves in the sketches of the days
recomputed after the move only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from itertools import chain
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, insert, or_, select
from sqlalchemy.orm import Session

from wifidesa.db.models import AreaDay, AreaDaySketch, Region, Site, SiteDay
from wifidesa.stats.area_days import READ, area_day_row, group_sums
from wifidesa.stats.digests import unpack
from wifidesa.stats.hll import merge, sketch

if TYPE_CHECKING:
    from wifidesa.stats.rollup import Fetch

# Areas with sketches: the province (64) and its kabupaten/kota (64.03). A kecamatan's year
# is ~10 sites x 365 days x ~60 devices, few enough to count exactly from the digests.
AREA_PARTS = 2


def area_codes(region_code: str) -> list[str]:
    """The codes of the areas with sketches that a region lies in, widest first."""
    parts = region_code.split(".")
    return [".".join(parts[:n]) for n in range(1, min(len(parts), AREA_PARTS) + 1)]


def has_sketches(area_code: str) -> bool:
    return bool(area_code) and len(area_code.split(".")) <= AREA_PARTS


def in_area(code: str, area_code: str) -> bool:
    return code == area_code or code.startswith(f"{area_code}.")


@dataclass
class AreaDays:
    """Area-days computed by a round: `keys` replaced by the sketches `rows` (an area-day
    without devices has a key and no row) and by the `sums` (one for an area-day with any
    site-day)."""

    keys: set[tuple[str, date]] = field(default_factory=set)
    rows: list[dict[str, Any]] = field(default_factory=list)
    sums: list[dict[str, Any]] = field(default_factory=list)


# A site-day as an area-day reads it: its site's region code, its digests, its other values.
_SiteDay = tuple[str, bytes | None, Mapping[Any, Any]]


def compute_area_days(
    *, fetch: Fetch, site_days: Iterable[tuple[int, date]], rows: list[dict[str, Any]]
) -> AreaDays:
    """The sketches and sums of the areas and days that recomputed site-days (`site_days`,
    with their new `rows`) touch, reading only."""
    pairs = set(site_days)
    codes: dict[int, str] = dict(
        fetch(  # type: ignore[arg-type]
            select(Site.id, Region.code)
            .join(Region, Region.id == Site.region_id)
            .where(Site.id.in_({site_id for site_id, _ in pairs}))
        )
    )
    touched: dict[date, set[str]] = defaultdict(set)
    for site_id, day in pairs:
        if site_id in codes:  # else deleted meanwhile, its rows with it
            touched[day].update(area_codes(codes[site_id]))
    new = {(row["site_id"], row["day"]): row for row in rows}
    found = AreaDays()
    for day, areas in sorted(touched.items()):
        provinces = sorted({area.split(".")[0] for area in areas})
        stored = fetch(
            select(SiteDay.site_id, Region.code, SiteDay.device_digests, *READ)
            .join(Site, Site.id == SiteDay.site_id)
            .join(Region, Region.id == Site.region_id)
            .where(
                SiteDay.day == day,
                or_(
                    *(
                        (Region.code == code) | Region.code.startswith(f"{code}.", autoescape=True)
                        for code in provinces
                    )
                ),
            )
        )
        sites: dict[int, _SiteDay] = {
            row.site_id: (str(row.code), row.device_digests, row._mapping) for row in stored
        }
        for site_id, of_day in pairs:
            if of_day == day and site_id in codes:
                if (site_id, day) in new:
                    row = new[(site_id, day)]
                    sites[site_id] = (codes[site_id], row.get("device_digests"), row)
                else:
                    sites.pop(site_id, None)  # no sessions now: its row goes
        found.keys |= {(area, day) for area in areas}
        rows_of_day, sums = _area_days(day, areas, sites.values())
        found.rows += rows_of_day
        found.sums += sums
    return found


def _area_days(
    day: date, areas: set[str], sites: Iterable[_SiteDay]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Each site-day is sketched and summed once, in the narrowest area of its site; a wider
    area merges the sketches and adds the sums of the narrower ones."""
    groups: dict[str, list[_SiteDay]] = defaultdict(list)
    for site in sites:
        groups[area_codes(site[0])[-1]].append(site)
    sketches = {
        group: sketch(chain.from_iterable(unpack(blob) for _, blob, _ in members))
        for group, members in groups.items()
    }
    sums = {
        group: group_sums(values for _, _, values in members) for group, members in groups.items()
    }
    rows, area_sums = [], []
    for area in sorted(areas):
        inside = [group for group in groups if in_area(group, area)]
        parts = [sketches[group] for group in inside]
        if any(any(registers) for registers in parts):
            rows.append({"area_code": area, "day": day, "registers": merge(parts)})
        if inside:
            area_sums.append(area_day_row(area=area, day=day, parts=[sums[g] for g in inside]))
    return rows, area_sums


def replace_area_days(*, session: Session, area_days: AreaDays) -> None:
    """Put a round's sketches and sums in place of the stored ones of its area-days."""
    by_area: dict[str, list[date]] = defaultdict(list)
    for area, day in sorted(area_days.keys):
        by_area[area].append(day)
    for area, days in by_area.items():
        for table in (AreaDaySketch, AreaDay):
            session.execute(delete(table).where(table.area_code == area, table.day.in_(days)))
    if area_days.rows:
        session.execute(insert(AreaDaySketch), area_days.rows)
    if area_days.sums:
        session.execute(insert(AreaDay), area_days.sums)
