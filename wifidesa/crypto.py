"""Secrets at rest and keyed hashes, all derived from the service's secret key.

Router RADIUS secrets and RouterOS API passwords must be readable by the service (it signs
packets and logs in), so they are encrypted (Fernet: AES-CBC + HMAC) rather than hashed. MACs
in statistics are replaced by a keyed hash, so unique devices can be counted without a MAC.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from wifidesa.errors import ConfigError, ErrorCode


def _derive(secret_key: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(
        secret_key.encode()
    )


class SecretBox:
    """Encrypts short secrets for storage in the database."""

    def __init__(self, secret_key: str) -> None:
        self._fernet = Fernet(base64.urlsafe_b64encode(_derive(secret_key, b"wifidesa-secrets")))
        self._device_key = _derive(secret_key, b"wifidesa-device-hash")

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode()
        except InvalidToken:
            # Never echo the token: it is the secret's ciphertext.
            raise ConfigError(ErrorCode.UNDECRYPTABLE_SECRET) from None

    def device_hash(self, mac: str) -> str:
        """A keyed, non-reversible 128-bit id for a MAC address (hex, 32 characters)."""
        digest = hmac.new(self._device_key, mac.upper().encode(), hashlib.sha256).digest()
        return digest[:16].hex()


def generate_secret(length: int = 24) -> str:
    """A RADIUS shared secret: letters and digits only, since RouterOS and shells quote poorly."""
    alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(length))
