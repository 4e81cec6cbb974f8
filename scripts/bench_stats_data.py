"""A synthetic province-year for `make bench-stats` (scripts/bench_stats.py): Kaltim's places
made with bulk SQL inserts and a year of hotspot sessions generated inside the database
(PostgreSQL: INSERT ... SELECT over generate_series; SQLite: a numbers table from a recursive
CTE), never row by row from Python.

The model, per site and local day (WITA):
- sites: 10 kecamatan of 10 desa under each of the 10 kabupaten/kota at 1,000 sites (fewer
  with --sites); one router and one site per desa; a site's size is log-normal (sd 0.6), the
  cities' villages half as busy again; the mean site has 200 x scale sessions a day;
- days: weekdays 0.9, Friday 1.05, Saturday 1.25, Sunday 1.3 (normalised); use grows 30 %
  over the year; +-30 % noise a day; 1 % of site-days have no accounting (an outage: no data);
- sessions start at an evening peak (20:00, sd 100 min, 55 %), a midday bump (12:30, sd 2.5 h,
  25 %) or at any time (20 %); lengths are log-normal (median ~25 min, cut to 6 h);
- devices come from a pool per site (700 x size x scale, at least 10), drawn with density
  ~1/sqrt(rank): regulars come back every day, most of the pool now and then.
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, text

from wifidesa.places.regions import KABUPATEN
from wifidesa.usage.archive import DEFAULT_DAYS, ensure_partitions, month_of

ZONE = "Asia/Makassar"
SESSIONS_PER_SITE_DAY = 200  # x 1,000 sites x 365 days = 73 million at scale 1
POOL_PER_SITE = 700
KECAMATAN_PER_KABUPATEN = 10
SITE_SD = 0.6
CITY_FACTOR = 1.5
OUTAGE_SHARE = 0.01
WEEKDAY_FACTORS = (0.9, 0.9, 0.9, 0.9, 1.05, 1.25, 1.3)  # Monday first
LONGEST = 6 * 3600  # RouterOS session timeouts keep hotspot sessions short


@dataclass(frozen=True)
class Plan:
    sites: int
    days: int
    scale: float
    first: date

    @property
    def base(self) -> float:
        return SESSIONS_PER_SITE_DAY * self.scale


@dataclass(frozen=True)
class Made:
    site_days: int
    sessions: int
    seconds: float


def _uniform(dialect: str) -> str:
    # SQLite's random() is a 64-bit integer.
    return "random()" if dialect == "postgresql" else "(random() / 18446744073709551616.0 + 0.5)"


def _fence(dialect: str) -> str:
    """Keeps a subquery from being merged into its parent, so each random() is drawn once per
    row however often the parent reads it (SQLite: a co-routine; PostgreSQL: OFFSET 0)."""
    return "OFFSET 0" if dialect == "postgresql" else "LIMIT -1"


def make_places(connection: Connection, plan: Plan) -> list[int]:
    """Kecamatan, desa, sites and one router a site, in bulk; returns the site ids."""
    ids = {r.code: r.id for r in connection.execute(text("SELECT code, id FROM regions"))}
    kecamatan, desa = [], []
    for n in range(plan.sites):
        kabupaten = KABUPATEN[n % len(KABUPATEN)][0]
        number = n // len(KABUPATEN)
        code = f"{kabupaten}.{number % KECAMATAN_PER_KABUPATEN + 1:02d}"
        kecamatan.append({"code": code, "name": f"Kecamatan {code}", "parent": ids[kabupaten]})
        desa.append({"code": f"{code}.{2001 + number:04d}", "kecamatan": code, "n": f"{n + 1:04d}"})
    insert_region = text(
        "INSERT INTO regions (code, name, level, parent_id) VALUES (:code, :name, :level, :parent)"
    )
    unique = list({k["code"]: k for k in kecamatan}.values())
    connection.execute(insert_region, [k | {"level": "kecamatan"} for k in unique])
    ids = {r.code: r.id for r in connection.execute(text("SELECT code, id FROM regions"))}
    rows = [
        {
            "code": d["code"],
            "name": f"Desa {d['code']}",
            "level": "desa",
            "parent": ids[d["kecamatan"]],
        }
        for d in desa
    ]
    connection.execute(insert_region, rows)
    ids = {r.code: r.id for r in connection.execute(text("SELECT code, id FROM regions"))}
    connection.execute(
        text(
            "INSERT INTO sites (code, name, region_id, timezone, allow_voucher, allow_member, "
            "allow_free, is_active, created_at) VALUES (:code, :name, :region, :zone, true, "
            "true, false, true, :now)"
        ),
        [
            {
                "code": d["code"],
                "name": f"Desa {d['n']}",
                "region": ids[d["code"]],
                "zone": ZONE,
                "now": datetime.now(UTC),
            }
            for d in desa
        ],
    )
    sites = [row.id for row in connection.execute(text("SELECT id FROM sites ORDER BY id"))]
    connection.execute(
        text(
            "INSERT INTO routers (site_id, name, nas_identifier, ip_address, secret_enc, "
            "require_message_authenticator, coa_port, hotspot_https, api_port, api_use_ssl, "
            "is_active, created_at) VALUES (:site, :name, :name, :ip, 'not-a-secret', true, "
            "3799, false, 8729, true, true, :now)"
        ),
        [
            {
                "site": site,
                "name": f"bench-{site}",
                "ip": f"10.{site // 65536}.{site // 256 % 256}.{site % 256}",
                "now": datetime.now(UTC),
            }
            for site in sites
        ],
    )
    return sites


def _site_weights(connection: Connection, plan: Plan) -> None:
    """bench_sites: each site's router, size (mean 1) and device pool."""
    rng = random.Random(14)  # noqa: S311 - a seeded model of use, no secret
    rows = connection.execute(
        text(
            "SELECT s.id AS site, r.id AS router, g.code AS region FROM sites s "
            "JOIN routers r ON r.site_id = s.id JOIN regions g ON g.id = s.region_id"
        )
    ).all()
    raw = [
        math.exp(rng.gauss(0, SITE_SD)) * (CITY_FACTOR if row.region.startswith("64.7") else 1.0)
        for row in rows
    ]
    mean = sum(raw) / len(raw)
    connection.execute(
        text("CREATE TABLE bench_sites (site_id INT, router_id INT, weight FLOAT, pool INT)")
    )
    connection.execute(
        text("INSERT INTO bench_sites VALUES (:site, :router, :weight, :pool)"),
        [
            {
                "site": row.site,
                "router": row.router,
                "weight": w / mean,
                "pool": max(10, round(POOL_PER_SITE * w / mean * plan.scale)),
            }
            for row, w in zip(rows, raw, strict=True)
        ],
    )


# The SQL below is built from this module's names and numbers only (S608), nothing from outside.


def _numbers(connection: Connection, name: str, count: int) -> None:
    connection.execute(text(f"CREATE TABLE {name} (i INT PRIMARY KEY)"))
    connection.execute(
        text(
            f"INSERT INTO {name} (i) WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL "  # noqa: S608
            f"SELECT i + 1 FROM n WHERE i < {count - 1}) SELECT i FROM n"
        )
    )


def _site_days(connection: Connection, plan: Plan, dialect: str) -> int:
    """bench_plan: how many sessions start at each site on each day (no row: no data)."""
    u = _uniform(dialect)
    weekday = plan.first.weekday()
    factors = " ".join(
        f"WHEN {n} THEN {f / (sum(WEEKDAY_FACTORS) / 7):.4f}" for n, f in enumerate(WEEKDAY_FACTORS)
    )
    _numbers(connection, "bench_days", plan.days)
    span = max(1, plan.days - 1)
    connection.execute(
        text(
            "CREATE TABLE bench_plan AS SELECT site_id, router_id, pool, day_no, n FROM ("  # noqa: S608
            "SELECT s.site_id, s.router_id, s.pool, d.i AS day_no, "
            f"CAST(round(:base * s.weight * (CASE (d.i + {weekday}) % 7 {factors} END) "
            f"* (0.85 + 0.3 * d.i / {span}.0) * (0.7 + 0.6 * {u})) AS INT) AS n, "
            f"{u} AS outage FROM bench_sites s CROSS JOIN bench_days d {_fence(dialect)}) p "
            f"WHERE outage >= {OUTAGE_SHARE} AND n > 0"
        ),
        {"base": plan.base},
    )
    return int(connection.execute(text("SELECT count(*) FROM bench_plan")).scalar_one())


def _z(a: str, b: str) -> str:
    """A standard normal from two uniforms (Box-Muller)."""
    return f"(sqrt(-2 * ln(1 - 0.999999 * {a})) * cos(6.283185307 * {b}))"


def _sessions_sql(plan: Plan, dialect: str) -> str:
    u = _uniform(dialect)
    fence = _fence(dialect)
    epoch = int(datetime.combine(plan.first, datetime.min.time(), ZoneInfo(ZONE)).timestamp())
    if dialect == "postgresql":
        rows = "bench_plan p CROSS JOIN LATERAL generate_series(1, p.n) AS g(i)"
        moment = "to_timestamp({})"
        device = "lpad(to_hex(site_id), 16, '0') || lpad(to_hex(k), 16, '0')"
    else:
        rows = "bench_plan p JOIN bench_numbers g ON g.i BETWEEN 1 AND p.n"
        moment = "(strftime('%Y-%m-%d %H:%M:%S', {}, 'unixepoch') || '.000000')"
        device = "printf('%016x%016x', site_id, k)"
    draws = ", ".join(f"{u} AS u{n}" for n in range(1, 8))
    start_of_day = f"(CASE WHEN u1 < 0.55 THEN 72000 + 6000 * {_z('u2', 'u3')} " + (
        f"WHEN u1 < 0.8 THEN 45000 + 9000 * {_z('u2', 'u3')} ELSE 86400 * u2 END)"
    )
    low, high = ("greatest", "least") if dialect == "postgresql" else ("max", "min")
    length = f"{high}({low}(exp(7.3 + 1.1 * {_z('u4', 'u5')}), 10), {LONGEST})"
    octets = "secs * (500 + 4000 * u3)"
    # Archived as the daily job leaves them: ended over DEFAULT_DAYS before the end of the year.
    archived_before = epoch + (plan.days - DEFAULT_DAYS) * 86400
    if dialect == "postgresql":
        month = "CAST(to_char(to_timestamp(t0) AT TIME ZONE 'UTC', 'YYYYMM') AS INT)"
    else:
        month = "CAST(strftime('%Y%m', t0, 'unixepoch') AS INT)"
    archived = f"CASE WHEN t0 + secs < {archived_before} THEN {month} ELSE 0 END"
    return (
        "INSERT INTO sessions (router_id, site_id, acct_session_id, generation, username, "  # noqa: S608
        "device_hash, status, started_at, updated_at, stopped_at, session_time, input_octets, "
        "output_octets, interim_interval, terminate_cause, throttled, archived_month) "
        "SELECT router_id, site_id, CAST(day_no * 100000 + i AS VARCHAR(16)), 0, 'bench', "
        f"{device}, 'closed', {moment.format('t0')}, {moment.format('t0 + secs')}, "
        f"{moment.format('t0 + secs')}, secs, CAST({octets} AS BIGINT), "
        f"CAST({octets} * (4 + 8 * u6) AS BIGINT), 300, 'User-Request', false, {archived} "
        "FROM (SELECT router_id, site_id, day_no, i, u3, u6, CAST(pool * u7 * u7 AS INT) AS k, "
        f"{epoch} + day_no * 86400 + ((CAST({start_of_day} AS INT) % 86400) + 86400) % 86400 "
        f"AS t0, CAST({length} AS INT) AS secs "
        f"FROM (SELECT p.router_id, p.site_id, p.pool, p.day_no, g.i, {draws} FROM {rows} "
        f"{fence}) a {fence}) b"
    )


def generate(engine: Engine, plan: Plan) -> Made:
    """Places, then the sessions, inside the database; returns what was made and how long
    the sessions took (with the indexes of `sessions` rebuilt afterwards: a bulk load)."""
    dialect = engine.dialect.name
    with engine.begin() as connection:
        make_places(connection, plan)
        _site_weights(connection, plan)
        site_days = _site_days(connection, plan, dialect)
        most = int(connection.execute(text("SELECT max(n) FROM bench_plan")).scalar() or 0)
        if dialect != "postgresql":
            _numbers(connection, "bench_numbers", most + 1)
    started = time.perf_counter()
    with engine.begin() as connection:
        # The archive's partitions (PostgreSQL), as the daily job makes them.
        ensure_partitions(
            connection,
            {month_of(_utc(day_of(plan, n))) for n in range(-1, plan.days + 1)},
        )
    with engine.begin() as connection:
        rebuild = _drop_session_indexes(connection, dialect)
        connection.execute(text(_sessions_sql(plan, dialect)))
        for statement in rebuild:
            connection.execute(text(statement))
        for table in ("bench_plan", "bench_sites", "bench_days", "bench_numbers"):
            connection.execute(text(f"DROP TABLE IF EXISTS {table}"))
    seconds = time.perf_counter() - started
    with engine.connect() as connection:
        made = int(connection.execute(text("SELECT count(*) FROM sessions")).scalar_one())
    return Made(site_days=site_days, sessions=made, seconds=seconds)


def _drop_session_indexes(connection: Connection, dialect: str) -> list[str]:
    """Drop the secondary indexes (and on PostgreSQL the unique and foreign key constraints)
    of `sessions`; returns the statements that put them back as they were."""
    if dialect != "postgresql":
        found = connection.execute(
            text(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                "AND tbl_name = 'sessions' AND sql IS NOT NULL"
            )
        ).all()
        for row in found:
            connection.execute(text(f'DROP INDEX "{row.name}"'))
        return [row.sql for row in found]
    constraints = connection.execute(
        text(
            "SELECT conname, pg_get_constraintdef(oid) AS definition FROM pg_constraint "
            "WHERE conrelid = 'sessions'::regclass AND contype IN ('u', 'f')"
        )
    ).all()
    indexes = connection.execute(
        text(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'sessions' "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint "
            "WHERE conrelid = 'sessions'::regclass)"
        )
    ).all()
    for row in constraints:
        connection.execute(text(f'ALTER TABLE sessions DROP CONSTRAINT "{row.conname}"'))
    for row in indexes:
        connection.execute(text(f'DROP INDEX "{row.indexname}"'))
    # A partitioned table's index reads `ON ONLY sessions`: made that way it is built on no
    # partition and stays invalid (the rollup then read every partition through).
    return [row.indexdef.replace(" ON ONLY ", " ON ") for row in indexes] + [
        f'ALTER TABLE sessions ADD CONSTRAINT "{row.conname}" {row.definition}'
        for row in constraints
    ]


def _utc(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), ZoneInfo(ZONE)).astimezone(UTC)


def day_of(plan: Plan, offset: int) -> date:
    return plan.first + timedelta(days=offset)
