"""Failed logins counted per key, shared by every web process (wifidesa.access.attempts)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from wifidesa.db.engine import Base, UTCDateTime

KEY_LENGTH = 160


class LoginFailure(Base):
    """Failures of one key (a device at a router, a router, an admin name at an address) in
    the window that began at `window_start`. The row means nothing after `expires_at`: the
    window is over and any block has ended, so the sweep deletes it."""

    __tablename__ = "login_failures"
    __table_args__ = (CheckConstraint("count >= 1", name="count_positive"),)

    key: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    count: Mapped[int] = mapped_column(Integer)
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    def __repr__(self) -> str:
        return f"LoginFailure(key={self.key!r}, count={self.count!r})"
