"""HyperLogLog sketches: merging equals sketching the union, and estimates err as stated
(seeded, so these statistical checks give the same answer on every run)."""

from __future__ import annotations

import random
import statistics

import pytest

from wifidesa.stats import hll
from wifidesa.stats.digests import DIGEST_BITS


def _digests(rng: random.Random, count: int) -> list[int]:
    return [rng.getrandbits(DIGEST_BITS) for _ in range(count)]


def test_merging_sketches_equals_sketching_the_union() -> None:
    rng = random.Random(14)
    common = _digests(rng, 3_000)
    a, b, c = (common[: 1_000 * n] + _digests(rng, 2_000) for n in (1, 2, 3))
    union = hll.sketch(set(a) | set(b) | set(c))
    assert hll.merge([hll.sketch(a), hll.sketch(b), hll.sketch(c)]) == union
    assert hll.merge([hll.sketch(c), hll.sketch(a), hll.sketch(b), hll.sketch(a)]) == union
    assert hll.merge([union]) == union
    assert hll.merge([]) == hll.EMPTY == hll.sketch([])


def test_counts_up_to_sixty_round_to_the_true_count() -> None:
    rng = random.Random(15)
    for count in (0, 1, 2, 10, 30, 60):
        assert round(hll.estimate(hll.sketch(_digests(rng, count)))) == count


# Below a few times the registers, the estimate errs less than the stated error (most
# registers hold one digest, the estimator counts nearly exactly); well above, as stated.
@pytest.mark.parametrize(
    ("count", "trials", "least"), [(2_000, 100, 0.0), (50_000, 24, 0.7 * hll.STANDARD_ERROR)]
)
def test_estimates_are_unbiased_within_the_stated_error(
    count: int, trials: int, least: float
) -> None:
    rng = random.Random(count)
    errors = [hll.estimate(hll.sketch(_digests(rng, count))) / count - 1 for _ in range(trials)]
    spread = statistics.pstdev(errors)
    assert least < spread < 1.3 * hll.STANDARD_ERROR
    # The mean of n estimates has a standard error of STANDARD_ERROR / sqrt(n).
    assert abs(statistics.fmean(errors)) < 3 * hll.STANDARD_ERROR / trials**0.5


def test_the_stated_error_is_about_one_percent() -> None:
    assert hll.REGISTERS == 8192
    assert 0.011 < hll.STANDARD_ERROR < 0.012
