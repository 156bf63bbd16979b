"""Moderation: a second, blind grading of a sample of completed audits; its grade becomes final."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from audits.models import Audit, AuditStatus, Criterion, Grade, Moderation, ModerationJudgement
from audits.signals import moderation_completed, work_assigned
from organisation.roles import Role

from .workflow import JudgementInput, _case_record_grade, _save


def _may_moderate(moderator_id, *people) -> bool:
    """A moderator grades someone else's grading of someone else's work: not one of `people`
    (the audit's auditor, the practitioner copied onto it, the case's practitioner)."""
    return moderator_id not in people


def _moderator_allowed(audit: Audit, moderator) -> bool:
    return _may_moderate(moderator.pk, audit.auditor_id, audit.practitioner_id, audit.case.practitioner_id)


@dataclass
class ModerationDraw:
    """What one sampling run did: the target share, what was already sampled, what it drew."""

    completed: int  # completed audits
    target: int  # round(share × completed): how many should be sampled in all
    already: int  # completed audits sampled before this run
    created: list[Moderation] = field(default_factory=list)
    without_moderator: int = 0  # unsampled completed audits nobody may moderate

    @property
    def short(self) -> int:
        """How far the sample still falls below its target (too few audits anyone may moderate)."""
        return max(0, self.target - self.already - len(self.created))


@transaction.atomic
def moderation_draw(*, share: float, rng: random.Random, by=None, since=None) -> ModerationDraw:
    """Top the moderation sample up to `share` (0–1) of all completed audits; report what it did.

    It draws round(share × completed) − already sampled audits at random from the completed
    audits not yet sampled that someone may moderate, so running it again draws nothing
    more until more audits complete (idempotent), and the weekly job keeps the sample at
    `share` of the audits as they complete rather than drawing `share` of the remainder
    every week. The moderator is an active auditor of the audit's region who is neither
    its auditor nor the practitioner whose work it is, drawn at random; an audit with no
    such person is never drawn, and counted in `without_moderator`. Deterministic for a
    given `rng` seed: every list it draws from is in primary-key order.

    `since` (a date) limits the pool, the target and the count of those already sampled to
    audits completed on or after it: the scheduled job samples recent work only, because a
    moderated grade replaces the final grade and would otherwise move long-closed months.
    """
    if not 0 <= share <= 1:
        raise ValidationError({"share": "The share must be between 0 and 1."})
    completed = Audit.objects.filter(status=AuditStatus.COMPLETED)
    if since is not None:
        completed = completed.filter(completed_on__gte=since)
    counts = completed.aggregate(completed=Count("pk"), already=Count("moderation"))
    draw = ModerationDraw(
        completed=counts["completed"], target=round(counts["completed"] * share), already=counts["already"]
    )
    auditors_by_region = defaultdict(list)
    for user in (
        get_user_model()
        .objects.filter(groups__name=Role.AUDITOR, is_active=True, region__isnull=False)
        .distinct()
        .order_by("pk")
    ):
        auditors_by_region[user.region_id].append(user)
    # Tuples, not model rows: the pool is every unsampled completed audit.
    pool = []
    for audit_id, region_id, *people in (
        completed.filter(moderation__isnull=True)
        .order_by("pk")
        .values_list("pk", "region_id", "auditor_id", "practitioner_id", "case__practitioner_id")
    ):
        candidates = [u for u in auditors_by_region[region_id] if _may_moderate(u.pk, *people)]
        if candidates:
            pool.append((audit_id, candidates))
        else:
            draw.without_moderator += 1
    wanted = min(max(0, draw.target - draw.already), len(pool))
    moderations = [
        Moderation(audit_id=audit_id, moderator=rng.choice(candidates))
        for audit_id, candidates in rng.sample(pool, wanted)
    ]
    if moderations:
        # One insert for the moderations and one for their history rows; the rule a
        # per-row full_clean() would check (who may moderate) is checked above.
        draw.created = bulk_create_with_history(moderations, Moderation, default_user=by)
        work_assigned.send(sender=Moderation, instances=draw.created)
    return draw


def _record_judgements(moderation: Moderation, by, judgements: Iterable[JudgementInput]) -> None:
    criteria = set(Criterion.objects.filter(template_id=moderation.audit.template_id).values_list("pk", flat=True))
    for item in judgements:
        if item.criterion_id not in criteria:
            raise ValidationError("Some answers are for questions that are not part of this audit.")
        if item.grade is not None and item.grade not in Grade.values:
            raise ValidationError({"grade": f"{item.grade!r} is not a grade."})
        row = ModerationJudgement(
            moderation=moderation,
            criterion_id=item.criterion_id,
            grade=item.grade,
            answer=item.answer,
            note=(item.evidence or "").strip(),
        )
        _save(row, by)


def moderation_sample(*, share: float, rng: random.Random, by=None) -> list[Moderation]:
    """Top the moderation sample up to `share` of completed audits; the moderations made (see moderation_draw)."""
    return moderation_draw(share=share, rng=rng, by=by).created


@transaction.atomic
def moderation_record(
    *, moderation: Moderation, by, grade: int, notes: str = "", judgements: Iterable[JudgementInput] = ()
) -> Moderation:
    """Record the moderator's grade (and their answer to each criterion, set beside the auditor's
    afterwards): the grade becomes the audit's final grade (announced on commit)."""
    audit = moderation.audit
    if by.pk != moderation.moderator_id:
        raise ValidationError("Only the moderator this audit was given to may moderate it.")
    if not _moderator_allowed(audit, by):
        raise ValidationError("A moderator may not be the auditor or the practitioner whose work was audited.")
    if moderation.completed_at is not None:
        raise ValidationError("This moderation is already complete.")
    if grade not in Grade.values:
        raise ValidationError({"grade": "Select a grade."})
    # Lock and re-read both rows: `moderation.audit` was loaded when the page opened, and
    # saving that copy whole would put back every field as it was then (a reflective
    # response saved meanwhile would silently vanish). Only the fields a moderation owns
    # are written, from a fresh copy, and a second moderator's save finds it complete.
    if Moderation.objects.select_for_update().filter(pk=moderation.pk, completed_at__isnull=False).exists():
        raise ValidationError("This moderation is already complete.")
    audit = Audit.objects.select_for_update().select_related("case").get(pk=audit.pk)
    moderation.audit = audit
    moderation.grade = grade
    moderation.notes = (notes or "").strip()
    moderation.completed_at = timezone.now()
    _save(moderation, by)
    _record_judgements(moderation, by, judgements)
    audit.final_grade = grade
    audit.moderated_grade = grade
    # The save bumps the version: a grading page opened before this can no longer save over it.
    audit.last_saved_by, audit.last_saved_at = by, moderation.completed_at
    audit._history_user = by
    audit.clean_fields()
    audit.validate_constraints()
    audit.save(update_fields=["final_grade", "moderated_grade", "last_saved_by", "last_saved_at"])
    _case_record_grade(audit.case, grade=grade, on=audit.completed_on)
    transaction.on_commit(lambda: moderation_completed.send(sender=Audit, audit=audit, moderation=moderation))
    return moderation
