"""The router fleet's health: each router's latest state, its history as state intervals (a row
per change, not per poll), its polls rolled up per local day, and central-side incidents
(wifidesa.fleet.rounds writes them, wifidesa.fleet.availability reads them).

Retention: kept as long as the statistics rollups, with no purge. They hold no personal data
(no MAC, address or user), and they are small: a day row per router per day (365,000 rows a
year for 1,000 routers) and an interval per state change (a handful per router per day, two
failed polls being needed before a router is down)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from wifidesa.db.engine import Base, BigIntKey, UTCDateTime
from wifidesa.db.models._types import str_enum


class RouterState(StrEnum):
    UP = "up"
    DOWN = "down"
    # Never answered a poll, the poller has not polled it lately, or its polls cannot tell
    # (no management address, our API user refused): no data, neither up nor down.
    UNKNOWN = "unknown"


class OutageCause(StrEnum):
    """Why a router was down: what availability charges to the village and what it reports
    apart."""

    BACKHAUL = "backhaul"  # unreachable while it had been up: the link (VSAT) or the router
    RESTART = "restart"  # came back with its uptime gone back: likely a power cut
    CENTRAL = "central"  # much of the fleet failed at once: our side, not the village


class RouterHealth(Base):
    """One router's latest state and what its last answered poll said."""

    __tablename__ = "router_health"
    __table_args__ = (
        CheckConstraint("consecutive_failures >= 0", name="failures_not_negative"),
        CheckConstraint("(state = 'down') = (cause IS NOT NULL)", name="cause_only_when_down"),
        # The fleet page: "down for more than 24 h" (state, since) and "restarted today".
        Index("ix_router_health_state_since", "state", "state_since"),
        Index("ix_router_health_last_restart_at", "last_restart_at"),
    )

    router_id: Mapped[int] = mapped_column(
        ForeignKey("routers.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    state: Mapped[RouterState] = mapped_column(str_enum(RouterState, "router_state"))
    cause: Mapped[OutageCause | None] = mapped_column(str_enum(OutageCause, "outage_cause"))
    state_since: Mapped[datetime] = mapped_column(UTCDateTime)
    last_poll_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_answer_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What the last answered poll reported.
    identity: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[str | None] = mapped_column(String(64))
    board: Mapped[str | None] = mapped_column(String(64))
    uptime_seconds: Mapped[int | None] = mapped_column(BigInteger)
    cpu_load: Mapped[int | None] = mapped_column(Integer)
    free_memory: Mapped[int | None] = mapped_column(BigInteger)
    total_memory: Mapped[int | None] = mapped_column(BigInteger)
    hotspot_active: Mapped[int | None] = mapped_column(Integer)
    rtt_ms: Mapped[float | None] = mapped_column(Float)
    # The WAN counters of the last answer: the next answer's traffic is the difference.
    wan_rx_bytes: Mapped[int | None] = mapped_column(BigInteger)
    wan_tx_bytes: Mapped[int | None] = mapped_column(BigInteger)
    # The current run of failed polls (0 after an answer), when it began and whether it began
    # in a central-side incident.
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failing_central: Mapped[bool] = mapped_column(Boolean, default=False)
    last_failure: Mapped[str | None] = mapped_column(String(16))  # a samples.Failure value
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the router last started again (from its uptime), for "restarted today".
    last_restart_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RouterInterval(Base):
    """A stretch of time a router spent in one state; `ended_at` is NULL while it lasts. A
    router has at most one open interval."""

    __tablename__ = "router_intervals"
    __table_args__ = (
        CheckConstraint("ended_at IS NULL OR ended_at >= started_at", name="ends_after_start"),
        CheckConstraint("(state = 'down') = (cause IS NOT NULL)", name="cause_only_when_down"),
        Index("ix_router_intervals_router_started", "router_id", "started_at"),
        Index(
            "uq_router_intervals_open",
            "router_id",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
        # The outage log: the latest outages of the fleet first.
        Index("ix_router_intervals_state_started", "state", "started_at"),
    )

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    router_id: Mapped[int] = mapped_column(ForeignKey("routers.id", ondelete="CASCADE"))
    state: Mapped[RouterState] = mapped_column(str_enum(RouterState, "router_state"))
    cause: Mapped[OutageCause | None] = mapped_column(str_enum(OutageCause, "outage_cause"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RouterDay(Base):
    """One router's polls on one local day (its site's zone)."""

    __tablename__ = "router_days"
    __table_args__ = (
        CheckConstraint("answered <= polls", name="answered_within_polls"),
        # A region's days: every router of a kabupaten for a month.
        Index("ix_router_days_day", "day"),
    )

    router_id: Mapped[int] = mapped_column(
        ForeignKey("routers.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    polls: Mapped[int] = mapped_column(Integer, default=0)
    answered: Mapped[int] = mapped_column(Integer, default=0)
    rtt_count: Mapped[int] = mapped_column(Integer, default=0)  # the answers with an rtt
    rtt_sum_ms: Mapped[float] = mapped_column(Float, default=0)
    rtt_max_ms: Mapped[float | None] = mapped_column(Float)
    cpu_max: Mapped[int | None] = mapped_column(Integer)
    active_max: Mapped[int | None] = mapped_column(Integer)
    # WAN traffic from counter differences between answers: down = received by the router.
    wan_down_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    wan_up_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    restarts: Mapped[int] = mapped_column(Integer, default=0)

    @property
    def rtt_avg_ms(self) -> float | None:
        return self.rtt_sum_ms / self.rtt_count if self.rtt_count else None


class FleetIncident(Base):
    """A central-side problem: in one poll round a large share of the fleet failed at once
    (our network, the VPN concentrator, the poller's host), one row however many routers."""

    __tablename__ = "fleet_incidents"
    __table_args__ = (
        CheckConstraint("ended_at IS NULL OR ended_at >= started_at", name="ends_after_start"),
        Index("ix_fleet_incidents_started_at", "started_at"),
    )

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The most routers failing in one of its rounds, and how many that round polled.
    routers: Mapped[int] = mapped_column(Integer)
    polled: Mapped[int] = mapped_column(Integer)
