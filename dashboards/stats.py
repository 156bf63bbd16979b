"""Statistics that stop people over-reading small numbers: Wilson intervals, flags, kappa.

Choices, so readers of the pages know what a marker means:
- % good or better carries a 95% Wilson score interval (z = 1.96), in percent.
- A region is flagged above (below) national only when its whole interval lies above
  (below) the national point estimate. The national figure includes the region and rests
  on far more audits, so its own interval is narrow; comparing with the point estimate is
  the usual funnel-plot reading and avoids flagging on noise from a handful of audits.
- Moderation agreement is exact agreement (share of moderated audits with the same grade)
  and Cohen's kappa with LINEAR weights (w = 1 - |i - j| / 3 over the four ordered grades),
  so a one-step disagreement counts as partial agreement.
"""

import math

Z95 = 1.96
GRADES = (1, 2, 3, 4)


def percent(numerator: int, denominator: int) -> float | None:
    return None if not denominator else numerator / denominator * 100


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """The Wilson score interval for successes out of n, as (low, high) percentages; None if n is 0."""
    if n <= 0:
        return None
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return (max(0.0, centre - half) * 100, min(1.0, centre + half) * 100)


def compare_with_national(interval: tuple[float, float] | None, national: float | None) -> str | None:
    """'above' or 'below' when the interval lies wholly above or below the national figure, else None."""
    if interval is None or national is None:
        return None
    low, high = interval
    if low > national:
        return "above"
    if high < national:
        return "below"
    return None


def exact_agreement(table: dict[tuple[int, int], int]) -> float | None:
    """Percentage of moderated audits whose moderator's grade equals the auditor's."""
    total = sum(table.values())
    return percent(sum(n for (a, m), n in table.items() if a == m), total)


def weighted_kappa(table: dict[tuple[int, int], int]) -> float | None:
    """Linearly weighted Cohen's kappa over the 4×4 table {(auditor grade, moderator grade): count}.

    None when there is nothing to measure: no moderations, or every rating in one category
    on both sides (expected agreement is then total and kappa is undefined).
    """
    total = sum(table.values())
    if not total:
        return None
    k = len(GRADES)

    def weight(i, j):
        return 1 - abs(i - j) / (k - 1)

    rows = {g: sum(table.get((g, m), 0) for m in GRADES) / total for g in GRADES}
    cols = {g: sum(table.get((a, g), 0) for a in GRADES) / total for g in GRADES}
    observed = sum(weight(a, m) * table.get((a, m), 0) / total for a in GRADES for m in GRADES)
    expected = sum(weight(a, m) * rows[a] * cols[m] for a in GRADES for m in GRADES)
    if math.isclose(expected, 1.0):
        return None
    return (observed - expected) / (1 - expected)
