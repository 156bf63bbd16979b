"""Statistics for programme results and calibration: Wilson intervals, two-proportion z tests, Fleiss' kappa.

(The dashboards keep their own copy of the Wilson interval: audits may not import dashboards.)
"""

from __future__ import annotations

import math
from collections.abc import Sequence

Z95 = 1.96


def percent(k: int, n: int) -> float | None:
    return None if not n else k / n * 100


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """The 95% Wilson score interval of k out of n, as (low, high) percentages; None if n is 0."""
    if n <= 0:
        return None
    p = k / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return (max(0.0, centre - half) * 100, min(1.0, centre + half) * 100)


def two_proportion_test(k1: int, n1: int, k2: int, n2: int) -> tuple[float, float] | None:
    """Pooled two-proportion z test of k1/n1 against k2/n2: (z, two-sided p). None when it cannot
    be computed (an empty sample, or both samples all successes or all failures)."""
    if n1 <= 0 or n2 <= 0:
        return None
    pooled = (k1 + k2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return None
    z = (k2 / n2 - k1 / n1) / se
    return z, math.erfc(abs(z) / math.sqrt(2))


def fleiss_kappa(table: Sequence[Sequence[int]]) -> float | None:
    """Fleiss' kappa of a subjects × categories table of rating counts (each row sums to the
    raters of that subject; every subject needs the same number of raters, at least two).

    None when undefined: no subjects, rows of unequal or too few raters, or every rating in one
    category (expected agreement 1).
    """
    rows = [list(r) for r in table]
    if not rows:
        return None
    n = sum(rows[0])
    if n < 2 or any(sum(r) != n for r in rows):
        return None
    subjects = len(rows)
    p_j = [sum(r[j] for r in rows) / (subjects * n) for j in range(len(rows[0]))]
    p_i = [(sum(c * c for c in r) - n) / (n * (n - 1)) for r in rows]
    p_bar = sum(p_i) / subjects
    p_e = sum(p * p for p in p_j)
    if p_e >= 1:
        return None
    return (p_bar - p_e) / (1 - p_e)
