from wifidesa.crypto import SecretBox, generate_secret


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
