"""Listeners to the audits' announcements: put a mail in the outbox (in the same transaction as the
change), and hand it to a worker once the change commits."""

from django.dispatch import receiver
from django.urls import reverse

from audits.models import Audit, LearningAction, Moderation
from audits.signals import learning_action_returned, work_assigned

from .items import MODERATION_DAYS, WorkItem
from .mail import group_by, queue_assigned, queue_returned, send_soon


def _audit_pairs(audits):
    if all(Audit.case.is_cached(a) for a in audits):  # scheduled in bulk: the cases are loaded
        refs = {a.pk: a.case.reference for a in audits}
    else:
        refs = dict(Audit.objects.filter(pk__in=[a.pk for a in audits]).values_list("pk", "case__reference"))
    for a in audits:
        title = f"Grade the audit of case {refs.get(a.pk)}"
        yield a.auditor_id, WorkItem("audit", a.pk, title, a.due_on, reverse("audits:detail", args=[a.pk]))


def _moderation_pairs(moderations):
    import datetime

    refs = dict(Audit.objects.filter(pk__in=[m.audit_id for m in moderations]).values_list("pk", "case__reference"))
    for m in moderations:
        due = m.sampled_at.date() + datetime.timedelta(days=MODERATION_DAYS)
        title = f"Moderate the audit of case {refs.get(m.audit_id)}"
        yield m.moderator_id, WorkItem("moderation", m.pk, title, due, reverse("audits:moderate", args=[m.audit_id]))


def _action_pairs(actions):
    rows = {
        a["pk"]: a
        for a in LearningAction.objects.filter(pk__in=[a.pk for a in actions]).values(
            "pk", "audit_id", "audit__case__reference", "audit__practitioner_id", "audit__case__practitioner_id"
        )
    }
    for a in actions:
        row = rows[a.pk]
        person = row["audit__practitioner_id"] or row["audit__case__practitioner_id"]
        title = f"Learning action from the audit of case {row['audit__case__reference']}"
        yield (
            person,
            WorkItem("learning_action", a.pk, title, a.due_on, reverse("audits:action", args=[a.audit_id, a.pk])),
        )


PAIRS = {
    Audit: (_audit_pairs, ("An audit to grade", "audits to grade")),
    Moderation: (_moderation_pairs, ("A moderation", "moderations")),
    LearningAction: (_action_pairs, ("A learning action", "learning actions")),
}


@receiver(work_assigned)
def mail_assigned_work(sender, instances, **kwargs):
    if sender not in PAIRS or not instances:
        return
    pairs, what = PAIRS[sender]
    send_soon(queue_assigned(group_by(pairs(list(instances))), what))


@receiver(learning_action_returned)
def mail_returned_action(sender, action, **kwargs):
    audit = action.audit
    person = audit.practitioner or audit.case.practitioner
    if person is None:
        return
    item = WorkItem(
        "learning_action",
        action.pk,
        f"Learning action from the audit of case {audit.case.reference}",
        action.due_on,
        reverse("audits:action", args=[audit.pk, action.pk]),
    )
    send_soon([queue_returned(person, item)])
