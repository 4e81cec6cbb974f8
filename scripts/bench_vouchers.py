"""Benchmark: generating voucher batches (codes + database rows), on SQLite and PostgreSQL.

Run with `make bench-vouchers`. PostgreSQL is measured when WIFIDESA_BENCH_PG_URL points at an
empty database, or else on a throwaway server started like the tests do.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "_support"))

from wdtest.factories import make_batch, make_profile, make_site
from wdtest.postgres import PostgresCluster

from wifidesa.db import schema
from wifidesa.db.engine import Base, make_engine, make_session_factory, transaction
from wifidesa.places.regions import ensure_reference_regions
from wifidesa.vouchers.codes import new_codes

COUNT = 10_000
RUNS = 3


def measure(url: str) -> list[float]:
    engine = make_engine(url)
    schema.upgrade(engine)
    factory = make_session_factory(engine)
    with transaction(factory) as session:
        ensure_reference_regions(session=session)
        site, profile = make_site(session), make_profile(session)
        site_code, profile_name = site.code, profile.name
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        with transaction(factory) as session:
            make_batch(session=session, site_code=site_code, profile_name=profile_name, count=COUNT)
        times.append(time.perf_counter() - started)
    engine.dispose()
    return times


def main() -> None:
    started = time.perf_counter()
    codes_only_engine = make_engine("sqlite://")
    Base.metadata.create_all(codes_only_engine)
    with make_session_factory(codes_only_engine)() as session:
        t0 = time.perf_counter()
        new_codes(session=session, count=COUNT)
        codes_s = time.perf_counter() - t0
    print(f"codes only (generate + uniqueness check): {codes_s * 1000:.0f} ms for {COUNT}")
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = measure(f"sqlite:///{tmp}/bench.db")
    print(
        f"SQLite, {COUNT} vouchers committed: median {statistics.median(sqlite):.2f} s "
        f"(runs: {', '.join(f'{t:.2f}' for t in sqlite)})"
    )
    pg_url = os.environ.get("WIFIDESA_BENCH_PG_URL")
    if pg_url:
        pg = measure(pg_url)
    else:
        with PostgresCluster() as cluster:
            pg = measure(cluster.create_database("bench"))
    print(
        f"PostgreSQL, {COUNT} vouchers committed: median {statistics.median(pg):.2f} s "
        f"(runs: {', '.join(f'{t:.2f}' for t in pg)})"
    )
    print(f"total {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
