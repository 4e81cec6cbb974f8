"""Password hashing (argon2 via passlib). Only hashes are stored, never a password."""

from __future__ import annotations

from passlib.context import CryptContext

from wifidesa.errors import ErrorCode, InvalidInput

_context = CryptContext(schemes=["argon2"], deprecated="auto")

MIN_PASSWORD_LENGTH = 8


def hash_password(password: str) -> str:
    return str(_context.hash(password))


def verify_password(password: str, password_hash: str) -> bool:
    """True if `password` matches; a malformed hash counts as no match."""
    try:
        return bool(_context.verify(password, password_hash))
    except (ValueError, TypeError):
        return False


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(ErrorCode.PASSWORD_TOO_SHORT, minimum=MIN_PASSWORD_LENGTH)
