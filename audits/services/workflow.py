"""The life of an audit: create, save a section, submit, complete, cancel; learning actions.

Every write runs in a transaction, calls full_clean() before save(), and names the person
(`by`) so the history rows record who made each change (simple_history reads
`instance._history_user`; the request middleware covers anything else done in a view).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audits.models import (
    GRADING_STATUSES,
    Audit,
    AuditStatus,
    AuditTemplate,
    Criterion,
    CriterionKind,
    Grade,
    Judgement,
    LearningAction,
    StaleAudit,
)
from audits.signals import audit_completed, work_assigned
from cases.models import Case

from .grading import applicable_criteria, ceiling_error, grade_ceiling, is_answered, suggested_grade

# The grading pages catch this name; the lock itself is the model's (Audit.save).
AuditVersionConflict = StaleAudit


@dataclass(frozen=True)
class JudgementInput:
    """One answer from the grading page: a grade (graded criteria) or yes/no answer, and evidence."""

    criterion_id: int
    grade: int | None = None
    answer: bool | None = None
    evidence: str = ""


# Copies of the case's own (already valid) references: checking each again on every save of
# the audit would cost three queries for nothing.
COPIED_FROM_CASE = ("region", "team", "practitioner")


def _save(instance, by) -> None:
    instance._history_user = by
    instance.full_clean(exclude=COPIED_FROM_CASE if isinstance(instance, Audit) else None)
    instance.save()


def _claim(audit: Audit, expected_version: int, by) -> None:
    """Start a grading write based on the version the page was opened at.

    Two people saving the same audit both send the version they loaded. The row is locked
    (the second waits for the first to commit) and a page that is out of date is refused at
    once (Audit.lock_version); the audit's save at the end is the conditional UPDATE that
    bumps the version (Audit.save), so a save based on an old page never overwrites a newer one.
    """
    audit.lock_version(expected_version, by)
    audit.last_saved_by = by
    audit.last_saved_at = timezone.now()


def _require_auditor(audit: Audit, by) -> None:
    if audit.auditor_id != getattr(by, "pk", None):
        raise ValidationError("Only the auditor allocated to this audit may grade it.")


@transaction.atomic
def audit_create(*, case: Case, auditor, template: AuditTemplate, due_on: datetime.date | None, by) -> Audit:
    """Schedule an audit of a case. Nobody may audit a case they are allocated to (Audit.clean)."""
    if not template.is_current:
        raise ValidationError({"template": "Choose the current version of the template."})
    audit = Audit(
        case=case,
        auditor=auditor,
        template=template,
        due_on=due_on,
        status=AuditStatus.SCHEDULED,
        created_by=by,
        # Whose work it is, from the start (completion copies it again): a case re-allocated
        # meanwhile does not show the audit to the practitioner who takes it over.
        practitioner_id=case.practitioner_id,
    )
    audit.copy_from_case(case)  # the lists filter on the audit's own region, team and practitioner
    _save(audit, by)
    work_assigned.send(sender=Audit, instances=[audit])
    return audit


@transaction.atomic
def audit_save_section(
    *, audit: Audit, by, judgements: Iterable[JudgementInput], expected_version: int
) -> list[Judgement]:
    """Store the answers of one section (a draft: unanswered criteria stay unanswered).

    The first save moves a scheduled audit to in progress. A save based on an older
    version of the audit raises StaleAudit and writes nothing.
    """
    _require_auditor(audit, by)
    if audit.status not in GRADING_STATUSES:
        raise ValidationError(f"This audit is {audit.get_status_display().lower()}: its answers can no longer change.")
    _claim(audit, expected_version, by)

    judgements = list(judgements)
    criteria = {
        c.pk: c
        for c in applicable_criteria(
            Criterion.objects.filter(template_id=audit.template_id, pk__in=[j.criterion_id for j in judgements]),
            audit.case.law_type,
        )
    }
    unknown = [j.criterion_id for j in judgements if j.criterion_id not in criteria]
    if unknown:
        raise ValidationError("Some answers are for questions that are not part of this audit.")
    existing = {j.criterion_id: j for j in Judgement.objects.filter(audit=audit, criterion_id__in=list(criteria))}

    saved = []
    for item in judgements:
        criterion = criteria[item.criterion_id]
        judgement = existing.get(criterion.pk) or Judgement(audit=audit, criterion=criterion)
        if criterion.kind == CriterionKind.GRADED:
            if item.grade is not None and item.grade not in Grade.values:
                raise ValidationError({"grade": f"{item.grade!r} is not a grade."})
            new_values = (item.grade, None, item.evidence.strip())
        else:
            new_values = (None, item.answer, item.evidence.strip())
        if not judgement.pk and new_values == (None, None, ""):
            continue  # nothing entered for a question never answered: no empty row
        old_values = (judgement.grade, judgement.answer, judgement.evidence)
        if judgement.pk and new_values == old_values:
            continue  # unchanged: no history row for a save that changed nothing
        judgement.grade, judgement.answer, judgement.evidence = new_values
        _save(judgement, by)
        saved.append(judgement)

    if audit.status == AuditStatus.SCHEDULED:
        audit.status = AuditStatus.IN_PROGRESS
        audit.started_at = timezone.now()
    _save(audit, by)
    return saved


def audit_missing_answers(audit: Audit, criteria: Iterable[Criterion], judgements: Iterable[Judgement]) -> list:
    """Applicable criteria of this audit that still have no answer."""
    by_criterion = {j.criterion_id: j for j in judgements}
    return [c for c in applicable_criteria(criteria, audit.case.law_type) if not is_answered(c, by_criterion.get(c.pk))]


@transaction.atomic
def audit_submit(
    *,
    audit: Audit,
    by,
    overall_grade: int,
    rationale: str,
    family_feedback: bool,
    expected_version: int,
) -> Audit:
    """Submit a fully answered audit with the auditor's overall grade, and complete it.

    A rationale is required when the overall grade differs from the suggestion. The
    audit is completed in the same transaction, so the grade reaches the dashboards
    without anyone having to approve it.
    """
    _require_auditor(audit, by)
    if audit.status not in GRADING_STATUSES:
        raise ValidationError(f"This audit is {audit.get_status_display().lower()}: it cannot be submitted again.")
    _claim(audit, expected_version, by)

    criteria = list(Criterion.objects.filter(template_id=audit.template_id))
    judgements = list(Judgement.objects.filter(audit=audit).select_related("criterion"))
    missing = audit_missing_answers(audit, criteria, judgements)
    if missing:
        raise ValidationError(
            f"Answer every question before submitting: {len(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} still unanswered."
        )
    if overall_grade not in Grade.values:
        raise ValidationError({"overall_grade": "Select the overall grade."})
    applicable_ids = {c.pk for c in applicable_criteria(criteria, audit.case.law_type)}
    applicable = [j for j in judgements if j.criterion_id in applicable_ids]
    suggestion = suggested_grade(applicable)
    over_ceiling = ceiling_error(overall_grade, grade_ceiling(applicable))
    if over_ceiling:
        raise ValidationError({"overall_grade": over_ceiling})
    rationale = (rationale or "").strip()
    if suggestion.grade is not None and overall_grade != suggestion.grade and not rationale:
        raise ValidationError(
            {
                "rationale": (
                    f"Explain why the overall grade differs from the suggested grade ({suggestion.grade.label})."
                )
            }
        )

    now = timezone.now()
    audit.suggested_grade = suggestion.grade
    audit.overall_grade = overall_grade
    audit.rationale = rationale
    audit.family_feedback = bool(family_feedback)
    audit.status = AuditStatus.SUBMITTED
    audit.submitted_at = now
    _save(audit, by)
    return audit_complete(audit=audit, by=by)


@transaction.atomic
def audit_complete(*, audit: Audit, by, completed_on: datetime.date | None = None) -> Audit:
    """Complete a graded audit: copy the case's place and practitioner, set the final grade,
    update the case's last grade, and announce `audit_completed` once the transaction commits.

    The copies keep history still when a case is later re-allocated. Callable for a
    submitted audit, or (for imports of historic audits) any open audit that carries an
    overall grade.
    """
    if audit.status in (AuditStatus.COMPLETED, AuditStatus.CANCELLED):
        raise ValidationError(f"This audit is already {audit.get_status_display().lower()}.")
    if audit.overall_grade is None:
        raise ValidationError({"overall_grade": "An audit needs an overall grade before it can be completed."})
    _require_under_ceiling(audit, audit.overall_grade)
    case = audit.case
    now = timezone.now()
    audit.status = AuditStatus.COMPLETED
    audit.completed_at = now
    audit.completed_on = completed_on or timezone.localdate(now)
    audit.final_grade = audit.overall_grade
    audit.copy_from_case(case)
    if audit.submitted_at is None:
        audit.submitted_at = now
    _save(audit, by)
    _case_record_grade(case, grade=audit.final_grade, on=audit.completed_on)
    actions = list(LearningAction.objects.filter(audit=audit).select_related("audit"))
    if actions:
        work_assigned.send(sender=LearningAction, instances=actions)
    # Announce only after commit: a rollback must never reach the dashboards, and the
    # listener enqueues work that must see the committed row.
    transaction.on_commit(lambda: audit_completed.send(sender=Audit, audit=audit))
    return audit


def _require_under_ceiling(audit: Audit, overall_grade: int) -> None:
    """Refuse an overall grade above the limiting ceiling of the audit's stored judgements."""
    judgements = Judgement.objects.filter(audit=audit, criterion__limiting=True).select_related("criterion")
    error = ceiling_error(overall_grade, grade_ceiling(judgements))
    if error:
        raise ValidationError({"overall_grade": error})


@transaction.atomic
def audit_regrade(*, audit: Audit, by, overall_grade: int, rationale: str) -> Audit:
    """Correct the overall grade of a completed audit (quality admins, in the admin).

    The same rules as submitting: never above the limiting ceiling, a rationale where the
    grade differs from the suggestion. A completed moderation keeps the final grade; the
    dashboards hear `audit_completed` again and recompute the audit's slice.
    """
    if audit.status != AuditStatus.COMPLETED:
        raise ValidationError("Only a completed audit's overall grade can be corrected here.")
    if overall_grade not in Grade.values:
        raise ValidationError({"overall_grade": "Select the overall grade."})
    _require_under_ceiling(audit, overall_grade)
    rationale = (rationale or "").strip()
    if audit.suggested_grade is not None and overall_grade != audit.suggested_grade and not rationale:
        raise ValidationError(
            {
                "rationale": (
                    f"Explain why the overall grade differs from the suggested grade "
                    f"({Grade(audit.suggested_grade).label})."
                )
            }
        )
    audit.overall_grade = overall_grade
    audit.rationale = rationale
    audit.final_grade = audit.moderated_grade if audit.moderated_grade is not None else overall_grade
    # The save bumps the version: grading pages opened before the correction can no longer save.
    audit.last_saved_by, audit.last_saved_at = by, timezone.now()
    _save(audit, by)
    _case_record_grade(audit.case, grade=audit.final_grade, on=audit.completed_on)
    transaction.on_commit(lambda: audit_completed.send(sender=Audit, audit=audit))
    return audit


def _case_record_grade(case: Case, *, grade: int, on: datetime.date) -> None:
    """Keep the case's latest audit grade current (an older audit never overwrites a newer one)."""
    updated = Case.objects.filter(Q(last_audited_on__isnull=True) | Q(last_audited_on__lte=on), pk=case.pk).update(
        last_audit_grade=grade, last_audited_on=on
    )
    if updated:
        case.last_audit_grade, case.last_audited_on = grade, on


@transaction.atomic
def audit_cancel(*, audit: Audit, by) -> Audit:
    if audit.status not in GRADING_STATUSES:
        raise ValidationError(f"This audit is {audit.get_status_display().lower()}: it cannot be cancelled.")
    audit.status = AuditStatus.CANCELLED
    audit.cancelled_at = timezone.now()
    # The save bumps the version: pages opened before the cancellation can no longer save.
    audit.last_saved_by, audit.last_saved_at = by, audit.cancelled_at
    _save(audit, by)
    return audit


@transaction.atomic
def learning_action_add(*, audit: Audit, by, description: str, due_on: datetime.date) -> LearningAction:
    """A learning action for the practitioner whose work was audited (what, and by when)."""
    if audit.status == AuditStatus.CANCELLED:
        raise ValidationError("This audit was cancelled: it cannot have learning actions.")
    action = LearningAction(audit=audit, description=(description or "").strip(), due_on=due_on)
    _save(action, by)
    if audit.status == AuditStatus.COMPLETED:
        # Added after completion: the practitioner has it now. Actions added while grading are
        # announced when the audit completes (the practitioner is known from then on).
        work_assigned.send(sender=LearningAction, instances=[action])
    return action
