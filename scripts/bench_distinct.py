"""Distinct devices at province scale on PostgreSQL: generate a year of rollups and time the
queries pages make (wifidesa.stats.distinct, wifidesa.stats.first_days). Not part of the tests.

    PYTHONPATH=. .venv/bin/python scripts/bench_distinct.py [--sites 1000] [--days 365]

A throwaway server is started like the tests do (tests/_support/wdtest/postgres.py; its data
directory is on /dev/shm when there is room: a warm database, no disk reads). The model: each
site has 800 devices of its own, of which 30 are online every day (regulars) and 30 others
drawn at random, so ~60 a day (the planning figure: 1,000 sites x 365 days x 60 = 21.9 million
device-days). Site-days, first days and area sketches are made in Python as the rollup makes
them and loaded with COPY; `site_device_days` (the accounting's table) is filled with
generate_series, for comparing COUNT(DISTINCT) there.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from array import array
from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "_support"))

from psycopg import sql  # noqa: E402
from sqlalchemy import select, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402
from wdtest.postgres import PostgresCluster  # type: ignore[import-not-found]  # noqa: E402

from wifidesa.admin.scope import OPERATOR  # noqa: E402
from wifidesa.db import schema  # noqa: E402
from wifidesa.db.engine import make_engine, make_session_factory, transaction  # noqa: E402
from wifidesa.db.models import SiteDay  # noqa: E402
from wifidesa.places.regions import ensure_reference_regions  # noqa: E402
from wifidesa.stats import hll  # noqa: E402
from wifidesa.stats.area_sketches import area_codes, compute_area_days  # noqa: E402
from wifidesa.stats.digests import pack  # noqa: E402
from wifidesa.stats.distinct import distinct_devices  # noqa: E402
from wifidesa.stats.first_days import device_days, plan_first_days  # noqa: E402
from wifidesa.stats.rollup import fetch_in  # noqa: E402

FIRST = date(2026, 1, 1)
KABUPATEN = ("64.01", "64.02", "64.03", "64.04", "64.05", "64.09", "64.11", "64.71", "64.72")
POPULATION, REGULARS, DRAWN = 800, 30, 30
MASK = (1 << 63) - 1
EVER = 10**12  # an exact limit never reached


def _device(site: int, k: int) -> int:
    """A 63-bit digest of a site's k-th device (splitmix64: fast, uniform)."""
    z = (site * 1_000_003 + k + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    return (z ^ (z >> 31)) & MASK


def _regions(session: Session, sites: int) -> list[tuple[int, str]]:
    """Kecamatan of ten desa each under the kabupaten, one site a desa: (site id, code)."""
    ensure_reference_regions(session=session)
    ids = {row.code: row.id for row in session.execute(text("SELECT code, id FROM regions"))}
    made: list[tuple[int, str]] = []
    for n in range(sites):
        kabupaten = KABUPATEN[n % len(KABUPATEN)]
        kecamatan = f"{kabupaten}.{n // len(KABUPATEN) // 10 + 1:02d}"
        if kecamatan not in ids:
            ids[kecamatan] = session.execute(
                text(
                    "INSERT INTO regions (code, name, level, parent_id) "
                    "VALUES (:c, :c, 'kecamatan', :p) RETURNING id"
                ),
                {"c": kecamatan, "p": ids[kabupaten]},
            ).scalar_one()
        desa = f"{kecamatan}.{2001 + n:04d}"
        region = session.execute(
            text(
                "INSERT INTO regions (code, name, level, parent_id) "
                "VALUES (:c, :c, 'desa', :p) RETURNING id"
            ),
            {"c": desa, "p": ids[kecamatan]},
        ).scalar_one()
        site = session.execute(
            text(
                "INSERT INTO sites (code, name, region_id, timezone, allow_voucher, "
                "allow_member, allow_free, is_active, created_at) VALUES (:c, :c, :r, "
                "'Asia/Makassar', true, true, false, true, now()) RETURNING id"
            ),
            {"c": f"s{n}", "r": region},
        ).scalar_one()
        made.append((site, desa))
    return made


def _generate(sites: list[tuple[int, str]], days: int, copy: Callable[..., Any]) -> None:
    rng = random.Random(14)  # noqa: S311 - a seeded model of use, no secret
    by_area_day: dict[tuple[str, date], array[int]] = defaultdict(lambda: array("q"))
    first_days: list[tuple[int, int, date]] = []
    zeros = [0] * 24
    for site, code in sites:
        population = [_device(site, k) for k in range(POPULATION)]
        seen: dict[int, date] = {}
        rows = []
        kabupaten = area_codes(code)[-1]
        for offset in range(days):
            day = FIRST + timedelta(days=offset)
            online = population[:REGULARS] + rng.sample(population[REGULARS:], DRAWN)
            for value in online:
                seen.setdefault(value, day)
            by_area_day[(kabupaten, day)].extend(online)
            rows.append(
                (site, day, 60, 60, 3600 * 60, 10**8, 10**9, 900, 3600, None, *zeros, pack(online))
            )
        copy("stats_site_days", rows)
        first_days += [(site, value, day) for value, day in seen.items()]
    copy("stats_site_devices", first_days)
    by_day: dict[date, list[bytes]] = defaultdict(list)
    area_rows = []
    for (area, day), digests in by_area_day.items():
        registers = hll.sketch(digests)
        by_day[day].append(registers)
        area_rows.append((area, day, registers))
    area_rows += [("64", day, hll.merge(of_day)) for day, of_day in by_day.items()]
    copy("stats_area_day_sketches", area_rows)
    by_month: dict[tuple[str, date], list[bytes]] = defaultdict(list)
    for area, day, registers in area_rows:
        by_month[(area, day.replace(day=1))].append(registers)
    copy(
        "stats_area_month_sketches",
        [(area, month, hll.merge(parts)) for (area, month), parts in by_month.items()],
    )


def _timed(label: str, call: Callable[[], Any], repeat: int = 3) -> Any:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = call()
        best = min(best, time.perf_counter() - start)
    print(f"{label:<58} {best * 1000:8.1f} ms   {result}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sites", type=int, default=1000)
    parser.add_argument("--days", type=int, default=365)
    args = parser.parse_args()
    with PostgresCluster() as cluster:
        url = cluster.create_database("bench_distinct")
        engine = make_engine(url)
        schema.upgrade(engine)
        sessions = make_session_factory(engine)
        started = time.perf_counter()
        with transaction(sessions) as session:
            sites = _regions(session, args.sites)
        raw = engine.raw_connection()
        columns = {
            "stats_site_days": [c.name for c in SiteDay.__table__.columns],
            "stats_site_devices": ["site_id", "digest", "first_day"],
            "stats_area_day_sketches": ["area_code", "day", "registers"],
            "stats_area_month_sketches": ["area_code", "month", "registers"],
        }

        def copy(table: str, rows: list[tuple[Any, ...]]) -> None:
            with raw.cursor() as cursor:
                names = ", ".join(columns[table])
                with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as into:  # type: ignore[attr-defined]
                    for row in rows:
                        into.write_row(row)
            raw.commit()

        _generate(sites, args.days, copy)
        with raw.cursor() as cursor:
            cursor.execute(
                "INSERT INTO site_device_days (site_id, day, device_hash) "
                "SELECT s.id, %s::date + d, md5(s.id || ':' || CASE WHEN i < 30 THEN i "
                "ELSE 30 + floor(random() * 770)::int END) "
                "FROM sites s, generate_series(0, %s - 1) d, generate_series(0, 59) i "
                "ON CONFLICT DO NOTHING",
                (FIRST, args.days),
            )
        raw.commit()
        raw.driver_connection.autocommit = True  # type: ignore[union-attr]
        with raw.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        print(f"generated in {time.perf_counter() - started:.0f} s")
        with raw.cursor() as cursor:
            for table in (
                "stats_site_days",
                "stats_site_devices",
                "stats_area_day_sketches",
                "stats_area_month_sketches",
                "site_device_days",
            ):
                query = sql.SQL(
                    "SELECT count(*), pg_size_pretty(pg_total_relation_size({name})) FROM {table}"
                ).format(name=sql.Literal(table), table=sql.Identifier(table))
                cursor.execute(query)
                print(f"{table:<26} {cursor.fetchone()}")
        raw.close()

        year = {"first": FIRST, "last": FIRST + timedelta(days=args.days - 1)}
        month = {"first": FIRST, "last": FIRST + timedelta(days=29)}
        kabupaten, kecamatan = "64.03", "64.03.01"
        exact = {"exact_limit": EVER, "exact_site_days": EVER}
        with sessions() as session:
            for label, kwargs in (
                ("province, year (sketches)", {"area": "64", **year}),
                ("kabupaten, year (sketches)", {"area": kabupaten, **year}),
                ("kabupaten, month (exact)", {"area": kabupaten, **month}),
                ("kecamatan, year (exact)", {"area": kecamatan, **year}),
                ("one site, year (exact)", {"site_ids": [sites[0][0]], **year}),
                ("kabupaten, year, forced exact", {"area": kabupaten, **exact, **year}),
                ("province, year, forced exact", {"area": "64", **exact, **year}),
            ):
                _timed(
                    f"distinct_devices: {label}",
                    lambda kwargs=kwargs: distinct_devices(
                        session=session, scope=OPERATOR, **kwargs
                    ),
                    repeat=1 if "forced" in label else 3,
                )
            query = text(
                "SELECT count(DISTINCT device_hash) FROM site_device_days d "
                "JOIN sites s ON s.id = d.site_id JOIN regions r ON r.id = s.region_id "
                "WHERE r.code LIKE :prefix AND day BETWEEN :first AND :last"
            )
            for label, prefix in (("kabupaten", f"{kabupaten}.%"), ("province", "64.%")):
                _timed(
                    f"SQL count(DISTINCT) site_device_days: {label}, year",
                    lambda prefix=prefix: session.execute(
                        query, {"prefix": prefix, **year}
                    ).scalar(),
                    repeat=1,
                )
            site_ids = [site for site, code in sites if code.startswith(f"{kabupaten}.")]
            _timed(
                "device_days: one site, year",
                lambda: len(device_days(session=session, site_ids=[sites[0][0]], **year)),
            )
            _timed(
                "device_days: a kabupaten's sites, month",
                lambda: len(device_days(session=session, site_ids=site_ids, **month)),
            )
            _timed(
                "device_days: every site, year",
                lambda: len(device_days(session=session, site_ids=[s for s, _ in sites], **year)),
                repeat=1,
            )
            # The rollup's extra reading per round: every site's day recomputed at once.
            day = FIRST + timedelta(days=args.days // 2)
            rows = [
                {"site_id": row.site_id, "day": row.day, "device_digests": row.device_digests}
                for row in session.execute(
                    select(SiteDay.site_id, SiteDay.day, SiteDay.device_digests).where(
                        SiteDay.day == day
                    )
                )
            ]
            pairs = {(row["site_id"], row["day"]) for row in rows}
            fetch = fetch_in(session)
            _timed(
                "rollup round, every site's day: first days to write",
                lambda: len(plan_first_days(fetch=fetch, rows=rows)),
            )
            _timed(
                "rollup round, every site's day: area sketches",
                lambda: len(compute_area_days(fetch=fetch, site_days=pairs, rows=rows).rows),
            )
        engine.dispose()


if __name__ == "__main__":
    main()
