"""Moderation: a second, blind grading of a sample of completed audits; its grade becomes final."""

from __future__ import annotations

import random
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audits.models import Audit, AuditStatus, Grade, Moderation
from audits.signals import moderation_completed
from organisation.roles import Role

from .workflow import _case_record_grade, _save


def _moderator_allowed(audit: Audit, moderator) -> bool:
    """A moderator grades someone else's grading of someone else's work."""
    return moderator.pk not in (audit.auditor_id, audit.practitioner_id, audit.case.practitioner_id)


@transaction.atomic
def moderation_sample(*, share: float, rng: random.Random, by=None) -> list[Moderation]:
    """Draw `share` (0–1) of the completed audits not yet sampled and give each a moderator.

    The moderator is an auditor of the audit's region who is neither its auditor nor the
    practitioner whose work it is; an audit with no such person is left unsampled.
    """
    if not 0 <= share <= 1:
        raise ValidationError({"share": "The share must be between 0 and 1."})
    pool = list(
        Audit.objects.filter(status=AuditStatus.COMPLETED, moderation__isnull=True)
        .select_related("case")
        .order_by("pk")
    )
    chosen = rng.sample(pool, round(len(pool) * share)) if pool else []
    auditors_by_region = defaultdict(list)
    for user in get_user_model().objects.filter(groups__name=Role.AUDITOR, is_active=True, region__isnull=False):
        auditors_by_region[user.region_id].append(user)
    created = []
    for audit in chosen:
        candidates = [u for u in auditors_by_region[audit.region_id] if _moderator_allowed(audit, u)]
        if not candidates:
            continue
        moderation = Moderation(audit=audit, moderator=rng.choice(candidates))
        _save(moderation, by)
        created.append(moderation)
    return created


@transaction.atomic
def moderation_record(*, moderation: Moderation, by, grade: int, notes: str = "") -> Moderation:
    """Record the moderator's grade: it becomes the audit's final grade (announced on commit)."""
    audit = moderation.audit
    if by.pk != moderation.moderator_id:
        raise ValidationError("Only the moderator this audit was given to may moderate it.")
    if not _moderator_allowed(audit, by):
        raise ValidationError("A moderator may not be the auditor or the practitioner whose work was audited.")
    if moderation.completed_at is not None:
        raise ValidationError("This moderation is already complete.")
    if grade not in Grade.values:
        raise ValidationError({"grade": "Select a grade."})
    moderation.grade = grade
    moderation.notes = (notes or "").strip()
    moderation.completed_at = timezone.now()
    _save(moderation, by)
    audit.final_grade = grade
    audit.version += 1  # a grading page opened before this can no longer save over it
    audit.last_saved_by, audit.last_saved_at = by, moderation.completed_at
    _save(audit, by)
    _case_record_grade(audit.case, grade=grade, on=audit.completed_on)
    transaction.on_commit(lambda: moderation_completed.send(sender=Audit, audit=audit, moderation=moderation))
    return moderation
