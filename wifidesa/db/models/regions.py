"""Regions (Kemendagri codes: province → kabupaten/kota → kecamatan → desa) and sites."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wifidesa.db.engine import Base, UTCDateTime, utcnow
from wifidesa.db.models._types import str_enum
from wifidesa.settings import DEFAULT_TIMEZONE


class RegionLevel(StrEnum):
    PROVINCE = "province"
    KABUPATEN = "kabupaten"  # kabupaten or kota
    KECAMATAN = "kecamatan"
    DESA = "desa"  # desa or kelurahan


class Region(Base):
    __tablename__ = "regions"
    __table_args__ = (
        CheckConstraint("(level = 'province') = (parent_id IS NULL)", name="root_is_province"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)  # e.g. 64.03.01.2001
    name: Mapped[str] = mapped_column(String(120))
    level: Mapped[RegionLevel] = mapped_column(str_enum(RegionLevel, "region_level"))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("regions.id", ondelete="RESTRICT"), index=True
    )

    parent: Mapped[Region | None] = relationship(remote_side=[id])


class Site(Base):
    """One village hotspot: a desa or kelurahan with one or more routers."""

    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    region_id: Mapped[int] = mapped_column(
        ForeignKey("regions.id", ondelete="RESTRICT"), index=True
    )
    # Daily quotas and statistics roll over at local midnight of this zone.
    timezone: Mapped[str] = mapped_column(String(64), default=DEFAULT_TIMEZONE)
    allow_voucher: Mapped[bool] = mapped_column(Boolean, default=True)
    allow_member: Mapped[bool] = mapped_column(Boolean, default=True)
    allow_free: Mapped[bool] = mapped_column(Boolean, default=False)
    free_profile_id: Mapped[int | None] = mapped_column(
        ForeignKey("profiles.id", ondelete="SET NULL")
    )
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Optional village logo for the portal (small raster image; see wifidesa.places.sites.set_logo).
    logo: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    logo_type: Mapped[str | None] = mapped_column(String(32))

    region: Mapped[Region] = relationship()
