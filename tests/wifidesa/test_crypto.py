import hashlib
import hmac
import secrets

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from wifidesa.crypto import SecretBox, generate_secret
from wifidesa.errors import ConfigError, ErrorCode


def test_roundtrip_and_fresh_ciphertexts() -> None:
    box = SecretBox("k" * 40)
    first, second = box.encrypt("rahasia"), box.encrypt("rahasia")
    assert first != second
    assert box.decrypt(first) == box.decrypt(second) == "rahasia"


def test_device_hash_is_keyed_stable_and_case_blind() -> None:
    box, other = SecretBox("k" * 40), SecretBox("j" * 40)
    mac = "aa:bb:cc:dd:ee:ff"
    assert box.device_hash(mac) == box.device_hash(mac.upper())
    assert len(box.device_hash(mac)) == 32
    assert box.device_hash(mac) != other.device_hash(mac)
    assert "aabbcc" not in box.device_hash(mac).lower()


def test_generated_secrets_differ() -> None:
    assert len({generate_secret() for _ in range(100)}) == 100


OLD, NEW = "o" * 40, "n" * 40


def test_a_secret_under_an_old_key_is_read_with_the_ring_and_new_ones_use_the_new_key() -> None:
    stored = SecretBox(OLD).encrypt("rahasia")
    ring = SecretBox(NEW, old_keys=[OLD])
    assert ring.decrypt(stored) == "rahasia"
    assert SecretBox(NEW).decrypt(ring.encrypt("baru")) == "baru"


def test_reencrypt_makes_the_old_key_unneeded() -> None:
    stored = SecretBox(OLD).encrypt("rahasia")
    moved = SecretBox(NEW, old_keys=[OLD]).reencrypt(stored)
    assert SecretBox(NEW).decrypt(moved) == "rahasia"
    with pytest.raises(ConfigError) as info:
        SecretBox(OLD).decrypt(moved)
    assert info.value.code is ErrorCode.UNDECRYPTABLE_SECRET


def test_a_secret_no_key_of_the_ring_opens_is_the_one_line_error() -> None:
    stored = SecretBox("j" * 40).encrypt("rahasia")
    ring = SecretBox(NEW, old_keys=[OLD])
    for attempt in (ring.decrypt, ring.reencrypt):
        with pytest.raises(ConfigError) as info:
            attempt(stored)
        assert info.value.code is ErrorCode.UNDECRYPTABLE_SECRET
        assert stored not in str(info.value) and "\n" not in str(info.value)


def test_without_a_device_hash_key_hashes_are_derived_as_before() -> None:
    # What an installation stored for this MAC before the device-hash key existed.
    derived = hmac.new(
        HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"wifidesa-device-hash").derive(
            OLD.encode()
        ),
        b"AA:BB:CC:DD:EE:FF",
        hashlib.sha256,
    ).digest()[:16]
    assert SecretBox(OLD).device_hash("aa:bb:cc:dd:ee:ff") == derived.hex()


def test_a_pinned_device_hash_key_keeps_hashes_across_a_secret_key_rotation() -> None:
    before = SecretBox(OLD)
    pinned = before.device_hash_key
    after = SecretBox(NEW, old_keys=[OLD], device_hash_key=pinned)
    assert after.device_hash("aa:bb:cc:dd:ee:ff") == before.device_hash("aa:bb:cc:dd:ee:ff")
    assert SecretBox(NEW).device_hash("aa:bb:cc:dd:ee:ff") != before.device_hash(
        "aa:bb:cc:dd:ee:ff"
    )


def test_a_new_device_hash_key_is_its_own_key() -> None:
    key = secrets.token_urlsafe(32)
    assert SecretBox(OLD, device_hash_key=key).device_hash_key == key
    assert SecretBox(OLD, device_hash_key=key).device_hash("aa:bb:cc:dd:ee:ff") == SecretBox(
        NEW, device_hash_key=key
    ).device_hash("aa:bb:cc:dd:ee:ff")


@pytest.mark.parametrize("text", ["not base64!", "abcde", "ab=cd"])
def test_a_device_hash_key_that_is_not_base64_is_a_config_error(text: str) -> None:
    with pytest.raises(ConfigError) as info:
        SecretBox(OLD, device_hash_key=text)
    assert info.value.code is ErrorCode.DEVICE_HASH_KEY_NOT_BASE64
    assert text not in str(info.value)


def test_no_key_in_the_boxs_repr() -> None:
    device_key = secrets.token_urlsafe(32)
    box = SecretBox(NEW, old_keys=[OLD], device_hash_key=device_key)
    for key in (NEW, OLD, device_key, box.device_hash_key):
        assert key not in repr(box)
