"""Password hashing (argon2 via passlib). Only hashes are stored, never a password.

An argon2 hash or check takes ~0.2 s of one core and 64 MiB of memory, on purpose. The web
service runs them in its thread pool (40 threads): a burst of resident logins or a 200-row
import would otherwise run dozens at once and starve everything else. At most one per core
runs; the others wait their turn.
"""

from __future__ import annotations

import os
import secrets
import threading
from functools import cache

from passlib.context import CryptContext

from wifidesa.errors import ErrorCode, InvalidInput

_context = CryptContext(schemes=["argon2"], deprecated="auto")

MIN_PASSWORD_LENGTH = 8
HASHING_AT_ONCE = max(1, os.cpu_count() or 1)
_hashing = threading.BoundedSemaphore(HASHING_AT_ONCE)


def hash_password(password: str) -> str:
    with _hashing:
        return str(_context.hash(password))


def verify_password(password: str, password_hash: str) -> bool:
    """True if `password` matches; a malformed hash counts as no match."""
    try:
        with _hashing:
            return bool(_context.verify(password, password_hash))
    except (ValueError, TypeError):
        return False


@cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def verify_nothing(password: str) -> None:
    """Spend the time of a password check, for a name that does not exist: an unknown user
    must take as long to refuse as a wrong password."""
    verify_password(password, _dummy_hash())


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(ErrorCode.PASSWORD_TOO_SHORT, minimum=MIN_PASSWORD_LENGTH)
