"""Announcements from the audits app; other apps listen (audits never imports them).

`audit_completed` is sent with sender=Audit and audit=<Audit> once the transaction that
completed the audit has committed (never on rollback). `moderation_completed` likewise
with audit=<Audit> when a moderation changes the final grade.
"""

from django.dispatch import Signal

audit_completed = Signal()
moderation_completed = Signal()

# Sent once the transaction that imported historic completed audits has committed:
# sender=Audit, audit_ids=[...], regions_months={(region_id, "YYYY-MM"), ...}.
audits_imported = Signal()

# Work given to someone, sent INSIDE the transaction that gave it (so a listener's record of it,
# such as a mail waiting to go, commits or rolls back with the change): sender=the model
# (Audit, Moderation or LearningAction), instances=[...] (an audit's auditor, a moderation's
# moderator, a learning action's practitioner is the person it is given to).
work_assigned = Signal()
# A learning action the service manager sent back to the practitioner, inside the transaction:
# sender=LearningAction, action=<LearningAction>.
learning_action_returned = Signal()


def follow_case_reallocation(sender, instance, created=False, raw=False, **kwargs):
    """post_save of a Case: audits not yet completed take the case's region and team again
    (a case moved to another team or region moves its open audits between the managers'
    lists); completed audits keep the copy made at completion, so history never moves.

    The practitioner is not followed: an audit grades the work of the practitioner who held
    the case when it was made (copied at creation), so a re-allocation never shows it to
    the practitioner who takes the case over (organisation.visibility.audit_practitioner_q).
    One UPDATE, usually of no row."""
    if raw or created:  # loaddata; a new case has no audits
        return
    from audits.models import Audit, AuditStatus

    Audit.objects.filter(case_id=instance.pk).exclude(status=AuditStatus.COMPLETED).exclude(
        region_id=instance.region_id, team_id=instance.team_id
    ).update(region_id=instance.region_id, team_id=instance.team_id)
