"""Secrets at rest and keyed hashes.

Router RADIUS secrets and RouterOS API passwords must be readable by the service (it signs
packets and logs in), so they are encrypted (Fernet: AES-CBC + HMAC) rather than hashed. MACs
in statistics are replaced by a keyed hash, so unique devices can be counted without a MAC.

Secrets are encrypted with a key derived from `WIFIDESA_SECRET_KEY` and decrypted with that key
or any of `WIFIDESA_OLD_SECRET_KEYS` (a key ring), so the secret key can be rotated after a leak:
`wifidesa keys reencrypt` moves every stored secret to the new key, then the old key is dropped.
Device hashes use `WIFIDESA_DEVICE_HASH_KEY` when set, so they survive that rotation.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from collections.abc import Sequence
from typing import TYPE_CHECKING

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from wifidesa.errors import ConfigError, ErrorCode

if TYPE_CHECKING:
    from wifidesa.settings import Settings

DEVICE_HASH_KEY_BYTES = 32  # an HMAC-SHA256 key; what the secret key's derivation gives


def _derive(secret_key: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(
        secret_key.encode()
    )


def _fernet(secret_key: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_derive(secret_key, b"wifidesa-secrets")))


def derived_device_hash_key(secret_key: str) -> bytes:
    """The device-hash key of an installation without `WIFIDESA_DEVICE_HASH_KEY`."""
    return _derive(secret_key, b"wifidesa-device-hash")


def decode_device_hash_key(text: str) -> bytes:
    """`WIFIDESA_DEVICE_HASH_KEY`: URL-safe base64 of the key's bytes (padding optional)."""
    stripped = text.strip().rstrip("=")
    try:
        key = base64.urlsafe_b64decode(stripped + "=" * (-len(stripped) % 4))
    except (binascii.Error, ValueError):
        key = b""
    if not key or base64.urlsafe_b64encode(key).decode().rstrip("=") != stripped:
        # Never echo the value: it is a key.
        raise ConfigError(ErrorCode.DEVICE_HASH_KEY_NOT_BASE64)
    return key


def encode_device_hash_key(key: bytes) -> str:
    """The text to put in `WIFIDESA_DEVICE_HASH_KEY` for these key bytes."""
    return base64.urlsafe_b64encode(key).decode("ascii").rstrip("=")


class SecretBox:
    """Encrypts short secrets for storage in the database, and hashes MACs for statistics."""

    def __init__(
        self,
        secret_key: str,
        *,
        old_keys: Sequence[str] = (),
        device_hash_key: str | None = None,
    ) -> None:
        # The first key encrypts; every key decrypts (cryptography's MultiFernet).
        self._fernet = MultiFernet([_fernet(secret_key), *(_fernet(k) for k in old_keys)])
        self._key_count = 1 + len(old_keys)
        self._pinned = bool(device_hash_key)
        self._device_key = (
            decode_device_hash_key(device_hash_key)
            if device_hash_key
            else derived_device_hash_key(secret_key)
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> SecretBox:
        """The box of the configured keys: secret key, old secret keys, device-hash key."""
        return cls(
            settings.secret_key,
            old_keys=settings.old_secret_key_list,
            device_hash_key=settings.device_hash_key or None,
        )

    def __repr__(self) -> str:
        pinned = "own" if self._pinned else "derived"
        return f"SecretBox(keys={self._key_count}, device_hash_key={pinned})"

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode()
        except InvalidToken:
            # Never echo the token: it is the secret's ciphertext.
            raise ConfigError(ErrorCode.UNDECRYPTABLE_SECRET) from None

    def reencrypt(self, token: str) -> str:
        """The same secret encrypted with the current key (read with any key of the ring)."""
        try:
            return self._fernet.rotate(token.encode("ascii")).decode("ascii")
        except InvalidToken:
            raise ConfigError(ErrorCode.UNDECRYPTABLE_SECRET) from None

    @property
    def device_hash_key(self) -> str:
        """The effective device-hash key, as `WIFIDESA_DEVICE_HASH_KEY` takes it. A secret."""
        return encode_device_hash_key(self._device_key)

    def device_hash(self, mac: str) -> str:
        """A keyed, non-reversible 128-bit id for a MAC address (hex, 32 characters)."""
        digest = hmac.new(self._device_key, mac.upper().encode(), hashlib.sha256).digest()
        return digest[:16].hex()


def generate_secret(length: int = 24) -> str:
    """A RADIUS shared secret: letters and digits only, since RouterOS and shells quote poorly."""
    alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(length))
