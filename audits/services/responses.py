"""The practitioner's side of a completed audit: a reflective response (learning actions: learning.py).

Only the practitioner whose work was audited may write here: the practitioner copied
onto the audit (at creation, and again at completion). Every
write validates the row before saving and names the person, so simple_history records who and when.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from audits.models import Audit, AuditStatus

RESPONSE_MAX_LENGTH = 5000


def is_audited_practitioner(*, audit: Audit, user) -> bool:
    """Is this person the practitioner whose work the audit graded?

    The copy made at completion decides, so a case re-allocated afterwards does not let
    the new practitioner answer for a colleague's work.
    """
    if not (user and user.is_authenticated and user.is_active):
        return False
    # The same rule as organisation.visibility.audit_q: a completed audit with no copy graded
    # a case nobody was allocated to, so nobody answers for it.
    if audit.practitioner_id is not None or audit.status == AuditStatus.COMPLETED:
        whose = audit.practitioner_id
    else:
        whose = audit.case.practitioner_id
    return whose is not None and whose == user.pk


def _require_practitioner(audit: Audit, by) -> None:
    if not is_audited_practitioner(audit=audit, user=by):
        raise PermissionDenied("Only the practitioner whose work was audited may do this.")
    if audit.status != AuditStatus.COMPLETED:
        raise ValidationError("You can respond to an audit once it is completed.")


@transaction.atomic
def audit_response_record(*, audit: Audit, by, text: str) -> Audit:
    """Store the practitioner's reflective response on a completed audit (kept in history)."""
    _require_practitioner(audit, by)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"practitioner_response": "Enter your response."})
    if len(text) > RESPONSE_MAX_LENGTH:
        raise ValidationError(
            {"practitioner_response": f"Your response must be {RESPONSE_MAX_LENGTH:,} characters or fewer."}
        )
    # Lock the row and re-read it: a moderation may be writing the final grade at the
    # same moment, and saving only our own fields from a fresh copy overwrites nothing.
    locked = Audit.objects.select_for_update().select_related("case").get(pk=audit.pk)
    if locked.practitioner_response == text:
        return locked  # unchanged: no history row for a save that changed nothing
    locked.practitioner_response = text
    # The practitioner's write leaves version and last_saved_* alone: those belong to the
    # grading (the auditor's and moderator's saves, named in their conflict messages), and
    # the audit is completed, so no grading page can be overwritten by this.
    locked.practitioner_responded_at = timezone.now()
    locked._history_user = by
    # Field and constraint validation of the row (full_clean() minus Audit.clean()):
    # Audit.clean() re-checks the allocation rule of grading, settled when the audit was
    # completed; a case re-allocated since (even to the auditor) must not stop the
    # practitioner responding to the audit of their work.
    locked.clean_fields()
    locked.validate_constraints()
    locked.save(update_fields=["practitioner_response", "practitioner_responded_at"])
    return locked
