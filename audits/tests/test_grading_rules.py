"""The suggested overall grade: lower median of graded criteria, capped by limiting criteria."""

from audits.models import AppliesTo, Criterion, CriterionKind, Grade, Judgement
from audits.services import applicable_criteria, suggested_grade

RI, MS, GOOD, OUT = 1, 2, 3, 4


def judged(grade, *, limiting=False, kind=CriterionKind.GRADED, answer=None, text="A criterion"):
    criterion = Criterion(text=text, kind=kind, limiting=limiting)
    return Judgement(criterion=criterion, grade=grade, answer=answer)


def test_limiting_criterion_graded_requires_improvement_caps_overall_grade():
    # Grades Outstanding, Outstanding, Good, Good, Requires improvement (limiting).
    # Sorted: RI, Good, Good, Out, Out -> the middle (3rd of 5) is Good: uncapped Good.
    # The limiting criterion is RI, so the suggestion is capped at Requires improvement.
    needs = judged(RI, limiting=True, text="Diverse and unique needs")
    judgements = [judged(OUT), judged(OUT), judged(GOOD), judged(GOOD), needs]

    suggestion = suggested_grade(judgements)

    assert suggestion.uncapped == Grade.GOOD
    assert suggestion.grade == Grade.REQUIRES_IMPROVEMENT
    assert suggestion.capped_by == [needs.criterion]
    assert suggestion.is_capped


def test_non_limiting_requires_improvement_does_not_cap():
    # Sorted: RI, Good, Good, Out -> even count, lower of the two middle (2nd) is Good.
    judgements = [judged(RI), judged(GOOD), judged(GOOD), judged(OUT)]
    suggestion = suggested_grade(judgements)
    assert suggestion.grade == Grade.GOOD
    assert suggestion.capped_by == []


def test_limiting_criterion_graded_above_requires_improvement_does_not_cap():
    judgements = [judged(MS, limiting=True), judged(OUT), judged(OUT)]
    # Sorted: MS, Out, Out -> middle is Outstanding.
    assert suggested_grade(judgements).grade == Grade.OUTSTANDING


def test_even_count_takes_the_lower_middle_grade():
    # Sorted: MS, MS, Good, Good -> middle pair (MS, Good): the lower one, Meets standard.
    judgements = [judged(GOOD), judged(MS), judged(GOOD), judged(MS)]
    assert suggested_grade(judgements).grade == Grade.MEETS_STANDARD


def test_yes_no_and_unanswered_criteria_do_not_count():
    judgements = [
        judged(None, kind=CriterionKind.YES_NO, answer=False),
        judged(None),  # not yet graded
        judged(OUT),
    ]
    assert suggested_grade(judgements).grade == Grade.OUTSTANDING


def test_no_grades_gives_no_suggestion():
    assert suggested_grade([]).grade is None


def test_two_limiting_criteria_both_named():
    a, b = judged(RI, limiting=True, text="A"), judged(RI, limiting=True, text="B")
    suggestion = suggested_grade([a, b, judged(OUT)])
    assert [c.text for c in suggestion.capped_by] == ["A", "B"]


def test_criteria_for_the_other_law_type_are_skipped():
    both = Criterion(code="both", applies_to=AppliesTo.BOTH)
    public = Criterion(code="public", applies_to=AppliesTo.PUBLIC)
    private = Criterion(code="private", applies_to=AppliesTo.PRIVATE)
    assert [c.code for c in applicable_criteria([both, public, private], "private")] == ["both", "private"]
    assert [c.code for c in applicable_criteria([both, public, private], "public")] == ["both", "public"]
