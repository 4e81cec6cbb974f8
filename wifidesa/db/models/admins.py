"""Admin users (province, kabupaten, desa), their village scope, and the audit log."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, Column, ForeignKey, String, Table, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wifidesa.db.engine import Base, BigIntKey, UTCDateTime, utcnow
from wifidesa.db.models._types import str_enum
from wifidesa.db.models.regions import Region, Site


class AdminRole(StrEnum):
    PROVINCE = "province"  # Diskominfo Kaltim: everything
    KABUPATEN = "kabupaten"  # a kabupaten/kota office: its villages
    DESA = "desa"  # a village operator: its own site(s)


admin_sites = Table(
    "admin_sites",
    Base.metadata,
    Column("admin_id", ForeignKey("admin_users.id", ondelete="CASCADE"), primary_key=True),
    Column("site_id", ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True),
)


class AdminUser(Base):
    __tablename__ = "admin_users"
    __table_args__ = (
        CheckConstraint("role <> 'kabupaten' OR region_id IS NOT NULL", name="kabupaten_region"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    full_name: Mapped[str] = mapped_column(String(120), default="")
    role: Mapped[AdminRole] = mapped_column(str_enum(AdminRole, "admin_role"))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id", ondelete="RESTRICT"))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    region: Mapped[Region | None] = relationship()
    sites: Mapped[list[Site]] = relationship(secondary=admin_sites)

    def __repr__(self) -> str:
        return f"AdminUser(id={self.id!r}, username={self.username!r}, role={self.role!r})"


class TokenKind(StrEnum):
    WEB = "web"  # a signed-in browser (cookie)
    API = "api"  # a bearer token for the JSON API


class AdminToken(Base):
    """A web session or an API token. Only a SHA-256 of the token is stored: a copy of the
    database does not let anyone sign in."""

    __tablename__ = "admin_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    admin_id: Mapped[int] = mapped_column(
        ForeignKey("admin_users.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[TokenKind] = mapped_column(str_enum(TokenKind, "admin_token_kind"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # An API token for a program that only reads (a dashboard, a report): no change allowed.
    read_only: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    admin: Mapped[AdminUser] = relationship()


class AuditEntry(Base):
    """Who did what, when, to which object: stock accountability and admin actions."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    admin_id: Mapped[int | None] = mapped_column(
        ForeignKey("admin_users.id", ondelete="SET NULL"), index=True
    )
    actor: Mapped[str] = mapped_column(String(64))  # admin username, "cli" or "system"
    action: Mapped[str] = mapped_column(String(64))  # e.g. "vouchers.generate"
    object_type: Mapped[str] = mapped_column(String(32), default="")
    object_id: Mapped[str | None] = mapped_column(String(64))
    site_id: Mapped[int | None] = mapped_column(
        ForeignKey("sites.id", ondelete="SET NULL"), index=True
    )
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
