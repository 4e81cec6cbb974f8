"""RouterOS versions compare as numbers, pre-releases before their release."""

from __future__ import annotations

import pytest

from wifidesa.fleet.versions import older_than, version_key


@pytest.mark.parametrize(
    ("version", "reference"),
    [
        ("7.9", "7.16"),
        ("7.9.2 (stable)", "7.16"),
        ("6.49.10 (long-term)", "7.1"),
        ("7.16", "7.16.1"),
        ("7.17beta3", "7.17rc1"),
        ("7.17rc1", "7.17"),
    ],
)
def test_older_versions_are_older_by_number(version: str, reference: str) -> None:
    assert older_than(version, reference)
    assert not older_than(reference, version)


def test_the_same_version_or_an_unknown_one_is_not_older() -> None:
    assert not older_than("7.16.0 (stable)", "7.16")
    assert not older_than(None, "7.16")
    assert not older_than("unknown", "7.16")
    assert version_key("") is None
