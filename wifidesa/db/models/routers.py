"""Routers (RADIUS NAS): how they authenticate to us and how we reach them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wifidesa.db.engine import Base, UTCDateTime, utcnow
from wifidesa.db.models.regions import Site


class Router(Base):
    __tablename__ = "routers"
    __table_args__ = (
        CheckConstraint("coa_port BETWEEN 1 AND 65535", name="coa_port_range"),
        CheckConstraint("api_port BETWEEN 1 AND 65535", name="api_port_range"),
        CheckConstraint("hotspot_port BETWEEN 1 AND 65535", name="hotspot_port_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    # RouterOS sends its system identity as NAS-Identifier.
    nas_identifier: Mapped[str] = mapped_column(String(64), unique=True)
    # Source address of its RADIUS packets (a VPN or public address).
    ip_address: Mapped[str] = mapped_column(String(45), unique=True)
    # Encrypted at rest with a key derived from the service secret (wifidesa.crypto).
    secret_enc: Mapped[str] = mapped_column(Text)
    # BlastRADIUS: drop Access-Requests without Message-Authenticator (RouterOS 7.15+).
    require_message_authenticator: Mapped[bool] = mapped_column(Boolean, default=True)
    coa_port: Mapped[int] = mapped_column(Integer, default=3799)
    # Where villagers' browsers reach the hotspot's own pages (login, logout): the portal
    # builds the hand-off form's action from these, never from what a request says.
    hotspot_address: Mapped[str | None] = mapped_column(String(255))
    hotspot_https: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    hotspot_port: Mapped[int | None] = mapped_column(Integer)  # None: the scheme's own
    api_host: Mapped[str | None] = mapped_column(String(255))
    api_port: Mapped[int] = mapped_column(Integer, default=8729)
    api_use_ssl: Mapped[bool] = mapped_column(Boolean, default=True)
    api_username: Mapped[str | None] = mapped_column(String(64))
    api_password_enc: Mapped[str | None] = mapped_column(Text)
    # The interface whose counters are the village's internet traffic; None: "ether1".
    wan_interface: Mapped[str | None] = mapped_column(String(64))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    site: Mapped[Site] = relationship()

    def __repr__(self) -> str:  # never show the secrets
        return f"Router(id={self.id!r}, name={self.name!r}, ip={self.ip_address!r})"
