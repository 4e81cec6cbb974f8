"""Statistics rolled up per site and local day, recomputed from the stored sessions
(wifidesa.stats.rollup), so figures for a year need no pass over a year of sessions."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from wifidesa.db.engine import Base, BigIntKey, UTCDateTime

HOURS = tuple(f"h{hour:02d}" for hour in range(24))
# Sessions started this day by length, below each bound (seconds); the last column holds the
# longer ones. Counts add up over sites and days, so a region's or a year's median session
# length is found from sums, to the bucket it falls in.
LENGTH_BOUNDS = (60, 300, 900, 1800, 3600, 7200, 14400, 28800, 86400)
LENGTHS = (
    "len_1m",
    "len_5m",
    "len_15m",
    "len_30m",
    "len_1h",
    "len_2h",
    "len_4h",
    "len_8h",
    "len_24h",
    "len_more",
)


class SiteDay(Base):
    """One site's sessions on one local day (its zone), each spread evenly over its span."""

    __tablename__ = "stats_site_days"
    # Each site's latest accounting (silent villages, on every statistics page) by one index
    # lookup a site, not a scan of every day of the area's sites (92 ms for a province-year).
    __table_args__ = (Index("ix_stats_site_days_site_heard", "site_id", "last_heard"),)

    site_id: Mapped[int] = mapped_column(
        ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    sessions: Mapped[int] = mapped_column(Integer)  # started this day
    devices: Mapped[int] = mapped_column(Integer)  # distinct devices online this day
    online_seconds: Mapped[int] = mapped_column(BigInteger)
    input_octets: Mapped[int] = mapped_column(BigInteger)  # from the devices (upload)
    output_octets: Mapped[int] = mapped_column(BigInteger)
    # Length of the sessions started this day (nearest rank; 0 if none).
    session_p50: Mapped[int] = mapped_column(Integer)
    session_p90: Mapped[int] = mapped_column(Integer)
    # The latest accounting heard of this day's sessions: no row or an old one is "no data",
    # which statistics must show apart from zero use.
    last_heard: Mapped[datetime | None] = mapped_column(UTCDateTime)
    h00: Mapped[int] = mapped_column(Integer)  # seconds online in local hour 00-01
    h01: Mapped[int] = mapped_column(Integer)
    h02: Mapped[int] = mapped_column(Integer)
    h03: Mapped[int] = mapped_column(Integer)
    h04: Mapped[int] = mapped_column(Integer)
    h05: Mapped[int] = mapped_column(Integer)
    h06: Mapped[int] = mapped_column(Integer)
    h07: Mapped[int] = mapped_column(Integer)
    h08: Mapped[int] = mapped_column(Integer)
    h09: Mapped[int] = mapped_column(Integer)
    h10: Mapped[int] = mapped_column(Integer)
    h11: Mapped[int] = mapped_column(Integer)
    h12: Mapped[int] = mapped_column(Integer)
    h13: Mapped[int] = mapped_column(Integer)
    h14: Mapped[int] = mapped_column(Integer)
    h15: Mapped[int] = mapped_column(Integer)
    h16: Mapped[int] = mapped_column(Integer)
    h17: Mapped[int] = mapped_column(Integer)
    h18: Mapped[int] = mapped_column(Integer)
    h19: Mapped[int] = mapped_column(Integer)
    h20: Mapped[int] = mapped_column(Integer)
    h21: Mapped[int] = mapped_column(Integer)
    h22: Mapped[int] = mapped_column(Integer)
    h23: Mapped[int] = mapped_column(Integer)
    len_1m: Mapped[int] = mapped_column(Integer, server_default="0")  # under a minute
    len_5m: Mapped[int] = mapped_column(Integer, server_default="0")  # 1 to 5 minutes
    len_15m: Mapped[int] = mapped_column(Integer, server_default="0")
    len_30m: Mapped[int] = mapped_column(Integer, server_default="0")
    len_1h: Mapped[int] = mapped_column(Integer, server_default="0")
    len_2h: Mapped[int] = mapped_column(Integer, server_default="0")
    len_4h: Mapped[int] = mapped_column(Integer, server_default="0")
    len_8h: Mapped[int] = mapped_column(Integer, server_default="0")
    len_24h: Mapped[int] = mapped_column(Integer, server_default="0")
    len_more: Mapped[int] = mapped_column(Integer, server_default="0")  # a day or longer
    # Accounts that reached their fair-use quota this day (throttled or cut: many of them say
    # the paket is too small for the village).
    quota_accounts: Mapped[int] = mapped_column(Integer, server_default="0")
    # The day's devices, exactly: sorted 63-bit digests of their keyed hashes, 8 bytes each
    # (wifidesa.stats.digests), for distinct counts over periods. Deferred: pages of daily
    # figures need not load them. None: computed before the column existed.
    device_digests: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)


class SiteDevice(Base):
    """The first local day a device (by digest of its keyed hash) was online at a site: on a
    site-day, devices whose first day it is are new, the others returning. Kept by the rollup
    as the earliest recomputed day the device was online (wifidesa.stats.first_days)."""

    __tablename__ = "stats_site_devices"
    __table_args__ = (Index("ix_stats_site_devices_site_first", "site_id", "first_day"),)

    site_id: Mapped[int] = mapped_column(
        ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True
    )
    digest: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    first_day: Mapped[date] = mapped_column(Date)


class AreaDaySketch(Base):
    """A HyperLogLog sketch of the devices online on a local day at the sites of a province or
    kabupaten (by region code): distinct devices over a period merge one sketch a day
    (wifidesa.stats.area_sketches). Recomputed by the rollup with the site-days it recomputes."""

    __tablename__ = "stats_area_day_sketches"

    area_code: Mapped[str] = mapped_column(String(16), primary_key=True)  # 64, 64.03
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    registers: Mapped[bytes] = mapped_column(LargeBinary)


class AreaMonthSketch(Base):
    """The devices of a province or kabupaten over a calendar month: its day sketches merged
    (wifidesa.stats.area_month_sketches). A year's distinct devices merge 12 of these and the
    day sketches of its partial months, instead of 365. `month` is the month's first day."""

    __tablename__ = "stats_area_month_sketches"

    area_code: Mapped[str] = mapped_column(String(16), primary_key=True)  # 64, 64.03
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    registers: Mapped[bytes] = mapped_column(LargeBinary)


class AreaDay(Base):
    """The site-days of a province or kabupaten (by region code) on one local day, summed: a
    region's daily trend, hours and headline over a year read 365 rows, not 365,000 site-days.
    Recomputed by the rollup with the site-days it recomputes (wifidesa.stats.area_days)."""

    __tablename__ = "stats_area_days"

    area_code: Mapped[str] = mapped_column(String(16), primary_key=True)  # 64, 64.03
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    sites_heard: Mapped[int] = mapped_column(Integer)  # site-days with a last accounting heard
    sessions: Mapped[int] = mapped_column(BigInteger)
    devices: Mapped[int] = mapped_column(BigInteger)  # device-days: each site-day's, summed
    online_seconds: Mapped[int] = mapped_column(BigInteger)
    input_octets: Mapped[int] = mapped_column(BigInteger)
    output_octets: Mapped[int] = mapped_column(BigInteger)
    quota_accounts: Mapped[int] = mapped_column(BigInteger)
    h00: Mapped[int] = mapped_column(BigInteger)  # seconds online in local hour 00-01
    h01: Mapped[int] = mapped_column(BigInteger)
    h02: Mapped[int] = mapped_column(BigInteger)
    h03: Mapped[int] = mapped_column(BigInteger)
    h04: Mapped[int] = mapped_column(BigInteger)
    h05: Mapped[int] = mapped_column(BigInteger)
    h06: Mapped[int] = mapped_column(BigInteger)
    h07: Mapped[int] = mapped_column(BigInteger)
    h08: Mapped[int] = mapped_column(BigInteger)
    h09: Mapped[int] = mapped_column(BigInteger)
    h10: Mapped[int] = mapped_column(BigInteger)
    h11: Mapped[int] = mapped_column(BigInteger)
    h12: Mapped[int] = mapped_column(BigInteger)
    h13: Mapped[int] = mapped_column(BigInteger)
    h14: Mapped[int] = mapped_column(BigInteger)
    h15: Mapped[int] = mapped_column(BigInteger)
    h16: Mapped[int] = mapped_column(BigInteger)
    h17: Mapped[int] = mapped_column(BigInteger)
    h18: Mapped[int] = mapped_column(BigInteger)
    h19: Mapped[int] = mapped_column(BigInteger)
    h20: Mapped[int] = mapped_column(BigInteger)
    h21: Mapped[int] = mapped_column(BigInteger)
    h22: Mapped[int] = mapped_column(BigInteger)
    h23: Mapped[int] = mapped_column(BigInteger)
    # Sessions by length, of the site-days heard only (as the site-day figures count them).
    len_1m: Mapped[int] = mapped_column(Integer)
    len_5m: Mapped[int] = mapped_column(Integer)
    len_15m: Mapped[int] = mapped_column(Integer)
    len_30m: Mapped[int] = mapped_column(Integer)
    len_1h: Mapped[int] = mapped_column(Integer)
    len_2h: Mapped[int] = mapped_column(Integer)
    len_4h: Mapped[int] = mapped_column(Integer)
    len_8h: Mapped[int] = mapped_column(Integer)
    len_24h: Mapped[int] = mapped_column(Integer)
    len_more: Mapped[int] = mapped_column(Integer)


class SiteMonth(Base):
    """One site's site-days of one calendar month (local days), summed: a year's villages
    read 12 rows a village. Recomputed by the rollup with the site-days it recomputes
    (wifidesa.stats.site_months)."""

    __tablename__ = "stats_site_months"

    site_id: Mapped[int] = mapped_column(
        ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True
    )
    month: Mapped[date] = mapped_column(Date, primary_key=True)  # its first day
    days_heard: Mapped[int] = mapped_column(Integer)  # site-days with a last accounting heard
    last_heard: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the latest of them
    sessions: Mapped[int] = mapped_column(BigInteger)
    devices: Mapped[int] = mapped_column(BigInteger)  # device-days
    online_seconds: Mapped[int] = mapped_column(BigInteger)
    input_octets: Mapped[int] = mapped_column(BigInteger)
    output_octets: Mapped[int] = mapped_column(BigInteger)
    quota_accounts: Mapped[int] = mapped_column(BigInteger)


class DirtyDay(Base):
    """A site-day whose sessions changed since its row was computed: accounting appends one
    (never updates, so concurrent batches never wait for each other on a row), the rollup job
    recomputes the day and deletes the marks it has read (wifidesa.stats.dirty)."""

    __tablename__ = "stats_dirty_days"

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)


OUTCOME_LENGTH = 40


class LoginCount(Base):
    """Logins answered at one site on one local day (its zone), by outcome: `accepted:<kind>`
    or `refused:<reason>` (wifidesa.stats.logins). RADIUS workers append the counts of an
    interval (never update, so they never wait for each other on a row); the rollup job
    merges each (site, day, outcome)'s rows into one. A figure is the sum of its rows."""

    __tablename__ = "stats_login_counts"
    __table_args__ = (
        Index("ix_stats_login_counts_site_day", "site_id", "day"),
        # The merge looks at recent days only: without this, a scan of every year's rows.
        Index("ix_stats_login_counts_day", "day"),
    )

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(String(OUTCOME_LENGTH))
    count: Mapped[int] = mapped_column(Integer)
