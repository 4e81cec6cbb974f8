"""Profiles (paket): speed, timeouts, quotas per period, and what happens after the quota."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wifidesa.db.engine import Base, UTCDateTime, utcnow
from wifidesa.db.models._types import str_enum


class QuotaPeriod(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    TOTAL = "total"


class AfterQuota(StrEnum):
    BLOCK = "block"  # no access until the period resets
    THROTTLE = "throttle"  # access continues at throttle_rate_limit (FUP)


class Profile(Base):
    __tablename__ = "profiles"
    __table_args__ = (
        CheckConstraint(
            "after_quota <> 'throttle' OR throttle_rate_limit IS NOT NULL",
            name="throttle_needs_rate",
        ),
        CheckConstraint("devices_at_once >= 1", name="devices_positive"),
        CheckConstraint("session_timeout IS NULL OR session_timeout > 0", name="session_positive"),
        CheckConstraint("idle_timeout IS NULL OR idle_timeout > 0", name="idle_positive"),
        CheckConstraint("interim_interval >= 60", name="interim_at_least_minute"),
        CheckConstraint("validity_seconds IS NULL OR validity_seconds > 0", name="validity_pos"),
        CheckConstraint("remember_device_days >= 0", name="remember_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    description: Mapped[str] = mapped_column(String(255), default="")
    # Mikrotik-Rate-Limit, rx/tx seen from the router (rx = client upload), e.g. "1M/4M".
    rate_limit: Mapped[str | None] = mapped_column(String(64))
    session_timeout: Mapped[int | None] = mapped_column(Integer)
    idle_timeout: Mapped[int | None] = mapped_column(Integer)
    interim_interval: Mapped[int] = mapped_column(Integer, default=300)
    devices_at_once: Mapped[int] = mapped_column(Integer, default=1)
    # Voucher validity, counted from first use.
    validity_seconds: Mapped[int | None] = mapped_column(Integer)
    after_quota: Mapped[AfterQuota] = mapped_column(
        str_enum(AfterQuota, "after_quota"), default=AfterQuota.BLOCK
    )
    throttle_rate_limit: Mapped[str | None] = mapped_column(String(64))
    # "Remember this device": MAC login for this many days (0 = never).
    remember_device_days: Mapped[int] = mapped_column(Integer, default=0)
    # The kabupaten that defined it; None for province-wide profiles.
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    limits: Mapped[list[ProfileLimit]] = relationship(
        back_populates="profile", cascade="all, delete-orphan", order_by="ProfileLimit.period"
    )


class ProfileLimit(Base):
    """A data and/or time quota over one period; a profile may have one per period."""

    __tablename__ = "profile_limits"
    __table_args__ = (
        UniqueConstraint("profile_id", "period"),
        CheckConstraint("data_bytes IS NOT NULL OR time_seconds IS NOT NULL", name="some_limit"),
        CheckConstraint("data_bytes IS NULL OR data_bytes > 0", name="data_positive"),
        CheckConstraint("time_seconds IS NULL OR time_seconds > 0", name="time_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"))
    period: Mapped[QuotaPeriod] = mapped_column(str_enum(QuotaPeriod, "quota_period"))
    data_bytes: Mapped[int | None] = mapped_column(BigInteger)
    time_seconds: Mapped[int | None] = mapped_column(Integer)

    profile: Mapped[Profile] = relationship(back_populates="limits")
