"""Accounts — what logs in: vouchers, members (residents) and guest devices — and their devices."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wifidesa.db.engine import Base, UTCDateTime, utcnow
from wifidesa.db.models._types import str_enum
from wifidesa.db.models.profiles import Profile
from wifidesa.db.models.regions import Site


class AccountKind(StrEnum):
    VOUCHER = "voucher"
    MEMBER = "member"
    GUEST = "guest"


class AccountStatus(StrEnum):
    ACTIVE = "active"
    DISABLED = "disabled"
    REVOKED = "revoked"


class Account(Base):
    """The unit that quotas, sessions and usage are counted against."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[AccountKind] = mapped_column(str_enum(AccountKind, "account_kind"))
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="RESTRICT"), index=True)
    profile_id: Mapped[int] = mapped_column(
        ForeignKey("profiles.id", ondelete="RESTRICT"), index=True
    )
    status: Mapped[AccountStatus] = mapped_column(
        str_enum(AccountStatus, "account_status"), default=AccountStatus.ACTIVE
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("admin_users.id", ondelete="SET NULL")
    )
    first_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set at first use from the profile's validity, or fixed by an admin.
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    site: Mapped[Site] = relationship()
    profile: Mapped[Profile] = relationship()
    voucher: Mapped[Voucher | None] = relationship(back_populates="account", uselist=False)
    member: Mapped[Member | None] = relationship(back_populates="account", uselist=False)


class VoucherBatch(Base):
    __tablename__ = "voucher_batches"
    __table_args__ = (CheckConstraint("count > 0", name="count_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="RESTRICT"), index=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("profiles.id", ondelete="RESTRICT"))
    count: Mapped[int] = mapped_column(Integer)
    prefix: Mapped[str] = mapped_column(String(8), default="")
    note: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("admin_users.id", ondelete="SET NULL")
    )


class Voucher(Base):
    """A printed bearer code; validity starts at first use."""

    __tablename__ = "vouchers"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(32), unique=True)
    # Cards from an earlier system may carry a separate PIN; without one, the code is also the
    # password. Kept in clear like the code: CHAP needs it, and it is printed on paper anyway.
    password: Mapped[str | None] = mapped_column(String(64))
    batch_id: Mapped[int] = mapped_column(
        ForeignKey("voucher_batches.id", ondelete="RESTRICT"), index=True
    )
    distributed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    account: Mapped[Account] = relationship(back_populates="voucher")
    batch: Mapped[VoucherBatch] = relationship()


class Member(Base):
    """A resident with a username and a password (argon2 hash only)."""

    __tablename__ = "members"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    full_name: Mapped[str] = mapped_column(String(120), default="")
    phone: Mapped[str | None] = mapped_column(String(32))

    account: Mapped[Account] = relationship(back_populates="member")


class GuestDevice(Base):
    """A device on free access, known by its MAC at one site."""

    __tablename__ = "guest_devices"
    __table_args__ = (UniqueConstraint("site_id", "mac"),)

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="RESTRICT"))
    mac: Mapped[str] = mapped_column(String(17))  # AA:BB:CC:DD:EE:FF

    account: Mapped[Account] = relationship()


class AccountDevice(Base):
    """A device bound to an account (first use binds a voucher); may be remembered for MAC login."""

    __tablename__ = "account_devices"
    __table_args__ = (UniqueConstraint("account_id", "mac"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    mac: Mapped[str] = mapped_column(String(17), index=True)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    remembered_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    account: Mapped[Account] = relationship()


class LoginToken(Base):
    """A one-time RADIUS password minted by the portal: short-lived, single use.

    Kept in clear because CHAP needs the cleartext to verify; it is worthless after about a
    minute or after one use, unlike a long-lived member password, which never leaves its hash.
    """

    __tablename__ = "login_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    router_id: Mapped[int | None] = mapped_column(ForeignKey("routers.id", ondelete="CASCADE"))
    mac: Mapped[str | None] = mapped_column(String(17))
    remember_device: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
