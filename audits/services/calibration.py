"""Calibration sessions: set one up, grade blind, reveal, record the agreed grade.

Rules: 3 to 12 auditors (any region; external and volunteer moderators too), none of them
allocated to the case; each grades every applicable criterion and an overall grade under the
same limiting ceiling as an audit; nobody sees another's grades until everyone has graded or
the facilitator closes the session; then the facilitator records the agreed grade and notes.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audits.models import (
    AuditTemplate,
    CalibrationJudgement,
    CalibrationParticipant,
    CalibrationSession,
    Criterion,
    CriterionKind,
    Grade,
)
from cases.models import Case
from organisation import visibility

from .grading import applicable_criteria, ceiling_error, grade_ceiling
from .workflow import JudgementInput

MIN_AUDITORS, MAX_AUDITORS = 3, 12
SESSIONS_A_YEAR = 4  # the seeds: "benchmarking sessions (x4 per year per region)"


def is_revealed(session: CalibrationSession, participants: Iterable[CalibrationParticipant]) -> bool:
    participants = list(participants)
    return session.closed_at is not None or (bool(participants) and all(p.submitted_at for p in participants))


@transaction.atomic
def calibration_create(
    *, case: Case, template: AuditTemplate, auditors: list, held_on: datetime.date, by
) -> CalibrationSession:
    people = list({a.pk: a for a in auditors}.values())
    if not MIN_AUDITORS <= len(people) <= MAX_AUDITORS:
        raise ValidationError({"auditors": f"Choose between {MIN_AUDITORS} and {MAX_AUDITORS} auditors"})
    if case.practitioner_id in {a.pk for a in people}:
        raise ValidationError({"auditors": "Nobody may grade a case they are allocated to: remove its practitioner"})
    wrong = [str(a) for a in people if not visibility.takes_part_in_calibration(a)]
    if wrong:
        raise ValidationError({"auditors": f"Not an auditor or moderator: {', '.join(wrong)}"})
    if not template.is_current:
        raise ValidationError({"template": "Choose the current version of the template."})
    session = CalibrationSession(
        case=case, template=template, region_id=case.region_id, held_on=held_on, facilitator=by
    )
    session._history_user = by
    session.full_clean()
    session.save()
    CalibrationParticipant.objects.bulk_create([CalibrationParticipant(session=session, auditor=a) for a in people])
    return session


@transaction.atomic
def calibration_grade(
    *, session: CalibrationSession, by, judgements: list[JudgementInput], overall_grade: int
) -> CalibrationParticipant:
    """Record one participant's blind grading, complete (every applicable criterion answered)."""
    # Locked: a second submit from another tab must not write the judgements twice.
    participant = CalibrationParticipant.objects.select_for_update().filter(session=session, auditor_id=by.pk).first()
    if participant is None:
        raise ValidationError("Only the auditors of this session may grade it.")
    if participant.submitted_at is not None or session.closed_at is not None:
        raise ValidationError("Your grades for this session are already in, or the session is closed.")
    criteria = {
        c.pk: c
        for c in applicable_criteria(Criterion.objects.filter(template_id=session.template_id), session.case.law_type)
    }
    given = {j.criterion_id: j for j in judgements if j.criterion_id in criteria}
    missing = [c for pk, c in criteria.items() if _empty(c, given.get(pk))]
    if missing:
        raise ValidationError(f"Answer every question: {len(missing)} still unanswered.")
    if overall_grade not in Grade.values:
        raise ValidationError({"overall_grade": "Select the overall grade."})
    rows = [
        CalibrationJudgement(
            participant=participant,
            criterion=criteria[pk],
            grade=j.grade if criteria[pk].kind == CriterionKind.GRADED else None,
            answer=j.answer if criteria[pk].kind == CriterionKind.YES_NO else None,
            evidence=j.evidence.strip(),
        )
        for pk, j in given.items()
    ]
    error = ceiling_error(overall_grade, grade_ceiling(rows))
    if error:
        raise ValidationError({"overall_grade": error})
    CalibrationJudgement.objects.bulk_create(rows)
    participant.overall_grade = overall_grade
    participant.submitted_at = timezone.now()
    participant.save(update_fields=["overall_grade", "submitted_at"])
    return participant


def _empty(criterion: Criterion, item: JudgementInput | None) -> bool:
    if item is None:
        return True
    return (item.grade if criterion.kind == CriterionKind.GRADED else item.answer) is None


@transaction.atomic
def calibration_close(*, session: CalibrationSession, by) -> CalibrationSession:
    if session.facilitator_id != by.pk:
        raise ValidationError("Only the facilitator may close the session.")
    if session.closed_at is None:
        session.closed_at = timezone.now()
        session._history_user = by
        session.save(update_fields=["closed_at"])
    return session


@transaction.atomic
def calibration_agree(*, session: CalibrationSession, by, grade: int, notes: str) -> CalibrationSession:
    if session.facilitator_id != by.pk:
        raise ValidationError("Only the facilitator may record the agreed grade.")
    if not is_revealed(session, session.participants.all()):
        raise ValidationError("Record the agreed grade once everyone has graded, or close the session first.")
    if grade not in Grade.values:
        raise ValidationError({"grade": "Select the agreed grade."})
    session.agreed_grade = grade
    session.agreed_notes = (notes or "").strip()
    session._history_user = by
    session.full_clean()
    session.save(update_fields=["agreed_grade", "agreed_notes"])
    return session
