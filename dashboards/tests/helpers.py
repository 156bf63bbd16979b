"""Test helpers: build completed audits from a plain list of grades, and Wilson by hand."""

import math

from audits.tests.factories import CompletedAuditFactory


def make_audits(team, day, grades, *, family_feedback=0):
    """Completed audits in `team` on `day`, one per grade; the first `family_feedback` had family feedback."""
    return [
        CompletedAuditFactory(case__team=team, overall_grade=g, completed_on=day, family_feedback=i < family_feedback)
        for i, g in enumerate(grades)
    ]


def wilson_by_hand(k: int, n: int) -> tuple[float, float]:
    """The Wilson score interval written out from the textbook formula, in percent."""
    z = 1.96
    p = k / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    margin = (z / (1 + z**2 / n)) * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return 100 * (centre - margin), 100 * (centre + margin)
