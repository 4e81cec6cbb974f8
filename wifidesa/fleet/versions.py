"""RouterOS versions compared as numbers: "7.9" is older than "7.16", which a comparison of
strings gets wrong."""

from __future__ import annotations

import re

_NUMBERS = re.compile(r"\d+(?:\.\d+)*")
# RouterOS names pre-releases 7.17beta3 / 7.17rc1: older than 7.17 itself.
_PRERELEASE = re.compile(r"^\d+(?:\.\d+)*(beta|rc)(\d*)")
_STAGES = {"beta": 0, "rc": 1}
_RELEASE = 2


def version_key(text: str | None) -> tuple[int, ...] | None:
    """A sortable key of a version as RouterOS reports it ("7.16.2 (stable)", "6.49.10
    (long-term)", "7.17beta3"); None if it holds no version number."""
    if not text:
        return None
    found = _NUMBERS.search(text)
    if found is None:
        return None
    numbers = [int(part) for part in found.group().split(".")]
    numbers += [0] * (3 - len(numbers))  # 7.16 is 7.16.0
    pre = _PRERELEASE.match(text.strip())
    if pre is None:
        return (*numbers, _RELEASE, 0)
    return (*numbers, _STAGES[pre.group(1)], int(pre.group(2) or 0))


def older_than(version: str | None, reference: str) -> bool:
    """Whether `version` is older than `reference`; an unknown version is not."""
    mine, theirs = version_key(version), version_key(reference)
    return mine is not None and theirs is not None and mine < theirs
