"""The grading rules: which criteria apply to a case, and the suggested overall grade.

The suggestion rule (documented here because auditors and moderators rely on it):

1. Take the grades of the applicable *graded* criteria that have been answered (yes/no
   criteria never count towards the grade).
2. The suggestion is their **lower median**: sort the grades and take the middle one;
   with an even number, the lower of the two middle grades. The median resists one
   outlying judgement, and taking the lower middle never rounds a split decision up.
3. **Limiting cap**: if any *limiting* criterion is graded Requires improvement, the
   suggestion is capped at Requires improvement, however good the rest of the work is.
   Practice that misses, say, a child's diverse and unique needs cannot be good overall.
   The criteria that applied the cap are returned so the page can name them.
4. **The cap is a ceiling, not a suggestion**: the auditor may choose a grade lower than
   the suggestion (with a rationale) but never one above Requires improvement while a
   limiting criterion is graded Requires improvement. The submit form, the service, the
   admin correction and the imports all ask `ceiling_error`; `check_audits` lists older
   rows that break it, without changing them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from audits.models import AppliesTo, Criterion, CriterionKind, Grade


def criterion_applies(criterion: Criterion, law_type: str) -> bool:
    """Criteria for public law only are skipped for private law cases, and vice versa."""
    return criterion.applies_to == AppliesTo.BOTH or criterion.applies_to == law_type


def applicable_criteria(criteria: Iterable[Criterion], law_type: str) -> list[Criterion]:
    return [c for c in criteria if criterion_applies(c, law_type)]


def is_answered(criterion: Criterion, judgement) -> bool:
    if judgement is None:
        return False
    if criterion.kind == CriterionKind.YES_NO:
        return judgement.answer is not None
    return judgement.grade is not None


@dataclass(frozen=True)
class Suggestion:
    """The suggested overall grade, the grade before any cap, and the criteria that capped it."""

    grade: Grade | None
    uncapped: Grade | None
    capped_by: list[Criterion] = field(default_factory=list)

    @property
    def is_capped(self) -> bool:
        return bool(self.capped_by) and self.uncapped is not None and self.uncapped != self.grade


def lower_median(grades: list[int]) -> int:
    ordered = sorted(grades)
    return ordered[(len(ordered) - 1) // 2]


def suggested_grade(judgements: Iterable) -> Suggestion:
    """Suggest an overall grade from judgements (objects with `.criterion` and `.grade`).

    Pass only the judgements of criteria that apply to the case (see `applicable_criteria`).
    """
    graded = [j for j in judgements if j.criterion.kind == CriterionKind.GRADED and j.grade is not None]
    if not graded:
        return Suggestion(grade=None, uncapped=None, capped_by=[])
    uncapped = Grade(lower_median([j.grade for j in graded]))
    capped_by = [j.criterion for j in graded if j.criterion.limiting and j.grade == Grade.REQUIRES_IMPROVEMENT]
    grade = Grade.REQUIRES_IMPROVEMENT if capped_by else uncapped
    return Suggestion(grade=grade, uncapped=uncapped, capped_by=capped_by)


def grade_ceiling(judgements: Iterable) -> Grade | None:
    """The highest overall grade these judgements allow: Requires improvement when a limiting
    criterion is graded Requires improvement, otherwise None (no ceiling)."""
    for j in judgements:
        if j.criterion.kind == CriterionKind.GRADED and j.criterion.limiting and j.grade == Grade.REQUIRES_IMPROVEMENT:
            return Grade.REQUIRES_IMPROVEMENT
    return None


def ceiling_error(overall_grade: int | None, ceiling: int | None) -> str | None:
    """The message for an overall grade above the limiting ceiling, or None when it is allowed."""
    if overall_grade is None or ceiling is None or overall_grade <= ceiling:
        return None
    return (
        f"The overall grade cannot be {Grade(overall_grade).label}: a limiting criterion is graded "
        f"Requires improvement, so the overall grade can be at most {Grade(ceiling).label}"
    )
