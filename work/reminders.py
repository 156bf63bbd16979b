"""The daily run: a digest per person (due within 7 days, and overdue) and escalations to the
region's service managers of items 10 working days overdue; then every mail still waiting is sent.

Re-runnable: a digest's key is (person, day) and an escalation is recorded once per item, so a
second run on the same day queues nothing new, and a run after a mail-server outage sends what the
first could not.
"""

from __future__ import annotations

import datetime
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q

from audits.models import GRADING_STATUSES, Audit, AuditStatus, LearningAction, LearningActionStatus, Moderation
from organisation.calendar import working_days_between
from organisation.models import EmailPreference
from organisation.roles import Role

from .items import DUE_SOON_DAYS, MODERATION_DAYS, WorkItem, digest_items
from .mail import DIGEST_MAX_ITEMS, compose, mail_queue, send_waiting
from .models import Escalation, MailKind

ESCALATE_AFTER_WORKING_DAYS = 10


@dataclass
class RunReport:
    today: datetime.date
    digests: int = 0
    escalations: int = 0
    escalated_items: int = 0
    sent: int = 0
    waiting: int = 0
    people: list[str] = field(default_factory=list)


def _digest_people():
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .exclude(email="")
        .exclude(email_preference=EmailPreference.NONE)
        .filter(groups__name__in=Role.values)
        .distinct()
        .order_by("pk")
    )


@transaction.atomic
def queue_digests(*, today: datetime.date, report: RunReport) -> None:
    """One digest per person with something due within DUE_SOON_DAYS days or overdue; none otherwise."""
    for person in _digest_people():
        items = digest_items(person, today=today)
        if not items:
            continue
        overdue = sum(1 for i in items if i.state(today) == "overdue")
        subject = f"Your work: {len(items)} due in the next week" + (f", {overdue} overdue" if overdue else "")
        body = compose(
            person,
            f"What is yours to do, overdue or due by {today + datetime.timedelta(days=DUE_SOON_DAYS):%-d %B %Y}:",
            items[:DIGEST_MAX_ITEMS],
            today,
            more=max(0, len(items) - DIGEST_MAX_ITEMS),
        )
        key = f"digest:{person.pk}:{today.isoformat()}"
        if mail_queue(recipient=person, kind=MailKind.DIGEST, subject=subject, body=body, key=key):
            report.digests += 1
            report.people.append(person.username)


# ---- escalation --------------------------------------------------------------------------------


def _far_overdue(due: datetime.date | None, today: datetime.date) -> bool:
    return due is not None and due < today and working_days_between(due, today) >= ESCALATE_AFTER_WORKING_DAYS


def _candidates(today: datetime.date) -> list[tuple[str, int, int | None, WorkItem]]:
    """(kind, id, region id, item) of open work 10 working days or more past due, not yet escalated.

    Ten working days are at least fourteen calendar days, so the database narrows by that first
    and only the few rows past it are counted in working days (bank holidays included).
    """
    from django.urls import reverse

    cutoff = today - datetime.timedelta(days=14)
    done = defaultdict(set)
    for kind, object_id in Escalation.objects.values_list("kind", "object_id"):
        done[kind].add(object_id)
    out = []
    for a in Audit.objects.filter(status__in=GRADING_STATUSES, due_on__lte=cutoff).select_related("case", "auditor"):
        if a.pk not in done["audit"] and _far_overdue(a.due_on, today):
            title = f"The audit of case {a.case.reference} by {a.auditor}"
            out.append(
                (
                    "audit",
                    a.pk,
                    a.case.region_id,
                    WorkItem("audit", a.pk, title, a.due_on, reverse("audits:detail", args=[a.pk])),
                )
            )
    actions = LearningAction.objects.filter(
        status=LearningActionStatus.OPEN, audit__status=AuditStatus.COMPLETED, due_on__lte=cutoff
    ).select_related("audit__case")
    for la in actions:
        if la.pk not in done["learning_action"] and _far_overdue(la.due_on, today):
            title = f"A learning action from the audit of case {la.audit.case.reference}"
            url = reverse("audits:action", args=[la.audit_id, la.pk])
            region = la.audit.region_id or la.audit.case.region_id
            out.append(("learning_action", la.pk, region, WorkItem("learning_action", la.pk, title, la.due_on, url)))
    sampled_before = today - datetime.timedelta(days=MODERATION_DAYS + 14)
    moderations = (
        Moderation.objects.filter(completed_at__isnull=True)
        .filter(Q(sampled_at__date__lte=sampled_before))
        .select_related("audit__case", "moderator")
    )
    for m in moderations:
        due = m.sampled_at.date() + datetime.timedelta(days=MODERATION_DAYS)
        if m.pk not in done["moderation"] and _far_overdue(due, today):
            title = f"The moderation of the audit of case {m.audit.case.reference} by {m.moderator}"
            url = reverse("audits:detail", args=[m.audit_id])
            out.append(("moderation", m.pk, m.audit.region_id, WorkItem("moderation", m.pk, title, due, url)))
    return out


def _managers_by_region(region_ids) -> dict[int, list]:
    people = (
        get_user_model()
        .objects.filter(groups__name=Role.SERVICE_MANAGER, is_active=True, region_id__in=region_ids)
        .distinct()
        .order_by("pk")
    )
    out = defaultdict(list)
    for person in people:
        out[person.region_id].append(person)
    return out


@transaction.atomic
def queue_escalations(*, today: datetime.date, report: RunReport) -> None:
    """Tell the region's service managers of each item 10 working days overdue, once per item:
    one mail per manager per day listing every item newly escalated to them."""
    candidates = _candidates(today)
    if not candidates:
        return
    managers = _managers_by_region({region for _k, _i, region, _item in candidates if region is not None})
    per_manager = defaultdict(list)
    records = []
    for kind, object_id, region, item in candidates:
        records.append(Escalation(kind=kind, object_id=object_id, region_id=region, escalated_on=today))
        for manager in managers.get(region, []):
            per_manager[manager].append(item)
    Escalation.objects.bulk_create(records, ignore_conflicts=True)
    report.escalated_items += len(records)
    for manager, items in per_manager.items():
        if manager.email_preference == EmailPreference.NONE:
            continue
        items.sort(key=lambda i: (i.due_on, i.kind, i.object_id))
        body = compose(
            manager,
            f"This work in your region is {ESCALATE_AFTER_WORKING_DAYS} working days or more overdue:",
            items,
            today,
        )
        subject = f"Overdue in your region: {len(items)} item{'s' if len(items) != 1 else ''}"
        # The items are part of the key: a later run the same day that finds other items still mails them.
        digest = hashlib.sha256(",".join(f"{i.kind}:{i.object_id}" for i in items).encode()).hexdigest()[:16]
        key = f"escalation:{manager.pk}:{today.isoformat()}:{digest}"
        if mail_queue(recipient=manager, kind=MailKind.ESCALATION, subject=subject, body=body, key=key):
            report.escalations += 1


def send_reminders(*, today: datetime.date) -> RunReport:
    """The whole daily run; each step commits on its own, so a mail server that is down loses nothing."""
    report = RunReport(today=today)
    queue_digests(today=today, report=report)
    queue_escalations(today=today, report=report)
    report.sent, report.waiting = send_waiting()
    return report
