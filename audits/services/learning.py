"""The learning loop after an audit: the practitioner marks an action done with a note of what
changed; the region's service manager signs it off or returns it with a reason; an audit may ask
for a follow-up audit of the same practitioner, scheduled once its actions are all signed off.

Every write locks the action row (two managers, or a manager and the practitioner, may act at
once: the second sees the first's change and is refused rather than overwriting it), validates
the row and names the person, so simple_history keeps who, when and before/after.
"""

from __future__ import annotations

import datetime
import logging
import random

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from audits.models import Audit, AuditStatus, AuditTemplate, LearningAction, LearningActionStatus
from audits.signals import learning_action_returned
from cases.models import Case
from organisation import visibility
from organisation.roles import Role

from .responses import is_audited_practitioner
from .scheduling import due_date
from .workflow import audit_create

logger = logging.getLogger(__name__)

NOTE_MAX_LENGTH = 5000
# The follow-up audit is due in the usual number of working days for a scheduled audit.
FOLLOW_UP_WORKING_DAYS = 20
CLOSED = (LearningActionStatus.SIGNED_OFF, LearningActionStatus.CANCELLED)


def _text(value: str, field: str, empty: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: empty})
    if len(value) > NOTE_MAX_LENGTH:
        raise ValidationError({field: f"Keep this to {NOTE_MAX_LENGTH:,} characters or fewer."})
    return value


def _locked(action: LearningAction) -> LearningAction:
    return LearningAction.objects.select_for_update().select_related("audit", "audit__case").get(pk=action.pk)


def _write(action: LearningAction, by, fields: list[str]) -> None:
    action._history_user = by
    action.full_clean()
    action.save(update_fields=fields)


@transaction.atomic
def learning_action_mark_done(*, action: LearningAction, by, note: str) -> LearningAction:
    """The practitioner says the action is done and what changed; it waits for the manager's sign-off."""
    if not is_audited_practitioner(audit=action.audit, user=by):
        raise PermissionDenied("Only the practitioner whose work was audited may mark this done.")
    note = _text(note, "done_note", "Say what you did and what changed in your practice.")
    locked = _locked(action)
    if locked.status != LearningActionStatus.OPEN:
        raise ValidationError(f"This learning action is {locked.get_status_display().lower()}: it is not open.")
    locked.status = LearningActionStatus.DONE
    locked.done_note = note
    locked.completed_on = timezone.localdate()
    _write(locked, by, ["status", "done_note", "completed_on"])
    return locked


def _require_manager(action: LearningAction, by) -> None:
    if not visibility.can_sign_off_learning(by, action.audit.region_id):
        raise PermissionDenied("Only a service manager of the audit's region may sign off or return this action.")


@transaction.atomic
def learning_action_sign_off(*, action: LearningAction, by) -> LearningAction:
    """The region's service manager accepts the practitioner's work on the action.

    When it was the audit's last action still to close and the audit asked for a follow-up,
    the follow-up audit is scheduled in the same transaction.
    """
    _require_manager(action, by)
    locked = _locked(action)
    if locked.status != LearningActionStatus.DONE:
        raise ValidationError("Only an action the practitioner has marked done can be signed off.")
    locked.status = LearningActionStatus.SIGNED_OFF
    locked.signed_off_by = by
    locked.signed_off_at = timezone.now()
    _write(locked, by, ["status", "signed_off_by", "signed_off_at"])
    try:
        with transaction.atomic():  # a savepoint: a follow-up that cannot be scheduled never undoes the sign-off
            audit_schedule_follow_up_if_due(audit=locked.audit, by=by)
    except ValidationError as error:
        logger.warning("audit %s: follow-up not scheduled at sign-off: %s", locked.audit_id, " ".join(error.messages))
    return locked


@transaction.atomic
def learning_action_return(*, action: LearningAction, by, reason: str) -> LearningAction:
    """The manager sends the action back with a reason: it is open again on the practitioner's list."""
    _require_manager(action, by)
    reason = _text(reason, "return_reason", "Say why you are returning it and what the practitioner should do.")
    locked = _locked(action)
    if locked.status != LearningActionStatus.DONE:
        raise ValidationError("Only an action the practitioner has marked done can be returned.")
    locked.status = LearningActionStatus.OPEN
    locked.return_reason = reason
    locked.returned_at = timezone.now()
    locked.completed_on = None
    _write(locked, by, ["status", "return_reason", "returned_at", "completed_on"])
    learning_action_returned.send(sender=LearningAction, action=locked)
    return locked


# ---- follow-up audits ------------------------------------------------------------------------


def may_request_follow_up(*, audit: Audit, user) -> bool:
    """The audit's auditor, or a service manager of its region, may ask for a follow-up."""
    return audit.status == AuditStatus.COMPLETED and (
        audit.auditor_id == user.pk or visibility.can_sign_off_learning(user, audit.region_id)
    )


@transaction.atomic
def audit_request_follow_up(*, audit: Audit, by) -> Audit | None:
    """Ask for a follow-up audit of the same practitioner once the actions are signed off.

    Returns the follow-up when it could be scheduled at once (every action already closed).
    """
    if not may_request_follow_up(audit=audit, user=by):
        raise PermissionDenied("Only the auditor or a service manager of the region may ask for a follow-up.")
    locked = Audit.objects.select_for_update().select_related("case").get(pk=audit.pk)
    if not locked.follow_up_requested:
        locked.follow_up_requested = True
        locked._history_user = by
        locked.save(update_fields=["follow_up_requested"])
    return audit_schedule_follow_up_if_due(audit=locked, by=by)


def audit_schedule_follow_up_if_due(*, audit: Audit, by, today: datetime.date | None = None) -> Audit | None:
    """Schedule the follow-up when it was asked for, none exists yet and every action is closed."""
    if not audit.follow_up_requested or Audit.objects.filter(follow_up_of=audit).exists():
        return None
    statuses = set(LearningAction.objects.filter(audit=audit).values_list("status", flat=True))
    if not statuses <= set(CLOSED):
        return None  # an action is still open or waiting for sign-off (none at all: nothing to wait for)
    practitioner_id = audit.practitioner_id or audit.case.practitioner_id
    if practitioner_id is None:
        return None
    case = _follow_up_case(audit, practitioner_id)
    auditor = _follow_up_auditor(audit, case)
    template = AuditTemplate.objects.filter(slug=audit.template.slug, is_current=True).first()
    if auditor is None or template is None:
        raise ValidationError(
            "No auditor of the region may audit this practitioner's work now: "
            "the follow-up could not be scheduled. Ask a quality admin to allocate one."
        )
    follow_up = audit_create(
        case=case,
        auditor=auditor,
        template=template,
        due_on=due_date(today or timezone.localdate(), FOLLOW_UP_WORKING_DAYS),
        by=by,
    )
    follow_up.follow_up_of = audit
    follow_up._history_user = by
    follow_up.save(update_fields=["follow_up_of"])
    return follow_up


def _follow_up_case(audit: Audit, practitioner_id: int) -> Case:
    """An open case of the same practitioner, another case than the one audited where there is one."""
    open_cases = list(
        Case.objects.filter(practitioner_id=practitioner_id, closed_on__isnull=True).order_by("pk").select_related()
    )
    others = [c for c in open_cases if c.pk != audit.case_id]
    if others:
        # Seeded by the audit: asking again (a retry) draws the same case.
        return random.Random(audit.pk).choice(others)  # noqa: S311 - a fair draw, not a secret
    return audit.case


def _follow_up_auditor(audit: Audit, case: Case):
    """The same auditor where they may still audit the case, else an auditor of its region."""
    users = get_user_model().objects.filter(groups__name=Role.AUDITOR, is_active=True).exclude(pk=case.practitioner_id)
    if users.filter(pk=audit.auditor_id).exists():
        return audit.auditor
    return users.filter(region_id=case.region_id).order_by("pk").first()
