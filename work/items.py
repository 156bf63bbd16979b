"""What is each person's to do: the work list of the home page and /my-work/, the navigation count
and the daily digest all read these sources.

Each source is one query for its first LIMIT rows and one row more: a source with more says
"more than 100" and links to its full list, where there is one. Nothing counts every matching
row (a window count over a national backlog of late sign-offs cost a second on each home page
at a million audits), so a work list costs one query per source whatever its length. Which rows
a person is chased for is decided in organisation.visibility (oversight_q, sign_off_q): nothing
here filters by role itself. Titles carry case references and links only, never a child's
details or an action's free text, because the same items go into mails.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Case as SqlCase
from django.db.models import F, Q, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from audits.models import GRADING_STATUSES, Audit, AuditStatus, LearningAction, LearningActionStatus, Moderation
from feedback.models import Feedback, FeedbackRequest, Kind
from improvement_plans.models import Action as PlanAction
from improvement_plans.models import Plan
from improvement_plans.selectors import plan_q
from organisation import visibility
from organisation.paging import BoundedCount, bounded_counts

DUE_SOON_DAYS = 7  # "due soon": due within a week (the digest's horizon too)
LIMIT = 100  # rows read per source; above it the page says "more than 100" and links to the full list
MODERATION_DAYS = 28  # a moderation is due four weeks after it was drawn
REFLECTION_DAYS = 28  # practitioners are asked to reflect within four weeks of completion
REFLECTION_WINDOW_DAYS = 91  # older audits without a response are no longer chased
SIGN_OFF_DAYS = 14  # a manager signs off within two weeks of the practitioner's "done"


@dataclass(frozen=True)
class WorkItem:
    kind: str
    object_id: int
    title: str
    due_on: datetime.date | None
    url: str
    note: str = ""

    def state(self, today: datetime.date) -> str:
        if self.due_on is None:
            return "due"
        if self.due_on < today:
            return "overdue"
        if self.due_on <= today + datetime.timedelta(days=DUE_SOON_DAYS):
            return "due_soon"
        return "due"

    def tag(self, today: datetime.date) -> tuple[str, str]:
        """(text, GOV.UK tag modifier)."""
        return {
            "overdue": ("Overdue", "govuk-tag--red"),
            "due_soon": ("Due soon", "govuk-tag--yellow"),
            "due": ("Due", "govuk-tag--grey"),
        }[self.state(today)]


@dataclass(frozen=True)
class Source:
    key: str
    label: str  # the group's name, plural ("Audits to grade")
    applies: Callable  # (user) -> bool
    rows: Callable  # (user, today) -> QuerySet, ordered soonest first
    item: Callable  # (row) -> WorkItem
    more_url: str = ""  # where the full list lives, when a source has more than LIMIT


def _days(n: int):
    return datetime.timedelta(days=n)


def _ref(audit) -> str:
    return audit.case.reference


# ---- the auditor's ---------------------------------------------------------------------------


def _grade_rows(user, today):
    qs = Audit.objects.filter(auditor_id=user.pk, status__in=GRADING_STATUSES)
    return visibility.visible_audits(user, qs).select_related("case").order_by(F("due_on").asc(nulls_last=True), "pk")


def _grade_item(a):
    return WorkItem(
        "audit", a.pk, f"Grade the audit of case {_ref(a)}", a.due_on, reverse("audits:detail", args=[a.pk])
    )


def _moderate_rows(user, today):
    return (
        Moderation.objects.filter(moderator_id=user.pk, completed_at__isnull=True)
        .select_related("audit__case")
        .order_by("sampled_at", "pk")
    )


def _moderate_item(m):
    due = timezone.localdate(m.sampled_at) + _days(MODERATION_DAYS)
    return WorkItem(
        "moderation",
        m.pk,
        f"Moderate the audit of case {_ref(m.audit)}",
        due,
        reverse("audits:moderate", args=[m.audit_id]),
    )


# ---- the practitioner's ----------------------------------------------------------------------


def _own(user, prefix: str = "") -> Q:
    """Work of this practitioner: the copy made at completion decides (see my_work_audits)."""
    return Q(**{f"{prefix}practitioner_id": user.pk}) | Q(
        **{f"{prefix}practitioner__isnull": True, f"{prefix}case__practitioner_id": user.pk}
    )


def _my_action_rows(user, today):
    return (
        LearningAction.objects.filter(status=LearningActionStatus.OPEN, audit__status=AuditStatus.COMPLETED)
        .filter(_own(user, "audit__"))
        .select_related("audit__case")
        .order_by("due_on", "pk")
    )


def _action_item(a, title=None, due=None):
    return WorkItem(
        "learning_action",
        a.pk,
        title or f"Learning action from the audit of case {_ref(a.audit)}",
        due or a.due_on,
        reverse("audits:action", args=[a.audit_id, a.pk]),
        note="Returned by your manager: read why" if a.returned_at and a.status == LearningActionStatus.OPEN else "",
    )


def _reflect_rows(user, today):
    qs = Audit.objects.completed().filter(
        _own(user), practitioner_response="", completed_on__gte=today - _days(REFLECTION_WINDOW_DAYS)
    )
    return visibility.visible_audits(user, qs).select_related("case").order_by("completed_on", "pk")


def _reflect_item(a):
    return WorkItem(
        "reflection",
        a.pk,
        f"Reflect on the audit of case {_ref(a)}",
        a.completed_on + _days(REFLECTION_DAYS),
        reverse("audits:response", args=[a.pk]),
    )


def _link_rows(user, today):
    return (
        FeedbackRequest.objects.filter(created_by_id=user.pk, used_at__isnull=True, expires_at__gt=timezone.now())
        .select_related("case")
        .order_by("expires_at", "pk")
    )


def _link_item(r):
    return WorkItem(
        "feedback_link",
        r.pk,
        f"Hand over the feedback link for case {r.case.reference} ({r.get_respondent_display().lower()})",
        timezone.localdate(r.expires_at),
        reverse("cases:detail", args=[r.case.reference]),
        note="Not used yet",
    )


# ---- the managers' (a region) and the national roles' ------------------------------------------


def _sign_off_rows(user, today):
    return (
        LearningAction.objects.filter(status=LearningActionStatus.DONE)
        .filter(visibility.sign_off_q(user, "audit__region_id"))
        .select_related("audit__case")
        .order_by("completed_on", "pk")
    )


def _sign_off_item(a):
    return _action_item(
        a,
        title=f"Sign off the learning action from the audit of case {_ref(a.audit)}",
        due=(a.completed_on or a.due_on) + _days(SIGN_OFF_DAYS),
    )


def _late_sign_off_rows(user, today):
    """Actions done more than SIGN_OFF_DAYS ago and still not signed off: the national roles chase the regions."""
    return (
        LearningAction.objects.filter(status=LearningActionStatus.DONE, completed_on__lt=today - _days(SIGN_OFF_DAYS))
        .filter(visibility.oversight_q(user, "audit__region_id"))
        .select_related("audit__case")
        .order_by("completed_on", "pk")
    )


def _late_sign_off_item(a):
    return _action_item(
        a,
        title=f"Sign-off is late: the learning action from the audit of case {_ref(a.audit)}",
        due=a.completed_on + _days(SIGN_OFF_DAYS),
    )


def _overdue_audit_rows(user, today):
    qs = Audit.objects.filter(status__in=GRADING_STATUSES, due_on__lt=today).exclude(auditor_id=user.pk)
    return (
        # The audit's own region (an open audit's follows its case's): no join to the cases.
        qs.filter(visibility.oversight_q(user, "region_id")).select_related("case", "auditor").order_by("due_on", "pk")
    )


def _overdue_audit_item(a):
    return WorkItem(
        "overdue_audit",
        a.pk,
        f"Chase the audit of case {_ref(a)} ({a.auditor})",
        a.due_on,
        reverse("audits:detail", args=[a.pk]),
    )


def _overdue_action_rows(user, today):
    return (
        LearningAction.objects.filter(
            status=LearningActionStatus.OPEN, due_on__lt=today, audit__status=AuditStatus.COMPLETED
        )
        .filter(visibility.oversight_q(user, "audit__region_id"))
        .exclude(_own(user, "audit__"))
        .select_related("audit__case")
        .order_by("due_on", "pk")
    )


def _overdue_action_item(a):
    return _action_item(a, title=f"Chase the learning action from the audit of case {_ref(a.audit)}")


def _complaint_rows(user, today):
    due = SqlCase(When(acknowledged_on__isnull=True, then=F("acknowledge_by")), default=F("respond_by"))
    return (
        Feedback.objects.filter(kind=Kind.COMPLAINT, responded_on__isnull=True)
        .filter(visibility.complaint_q(user))  # the people who may open the complaint's page
        .annotate(work_due=due)
        .filter(work_due__isnull=False)
        .select_related("case")
        .order_by("work_due", "pk")
    )


def _complaint_item(f):
    verb = "Acknowledge" if f.acknowledged_on is None else "Respond to"
    about = f"case {f.case.reference}" if f.case_id else f"received on {f.received_on:%-d %B %Y}"
    href = reverse("feedback:complaint", args=[f.pk])
    return WorkItem("complaint", f.pk, f"{verb} the complaint about {about}", f.work_due, href)


def _plan_due():
    return Coalesce("due_on", "review_on")


def _owned_plan_rows(user, today):
    return (
        PlanAction.objects.filter(owners=user)
        .exclude(status=PlanAction.Status.COMPLETE)
        .annotate(work_due=_plan_due())
        .select_related("objective__plan")
        .order_by(F("work_due").asc(nulls_last=True), "pk")
    )


def _plan_item(a, verb="Progress"):
    plan = a.objective.plan
    return WorkItem(
        "plan_action",
        a.pk,
        f"{verb} action {a.ref} of the plan “{plan.title}”",
        a.work_due,
        f"{reverse('improvement_plans:detail', args=[plan.pk])}#action-{a.pk}",
    )


def _overdue_plan_rows(user, today):
    return (
        PlanAction.objects.exclude(status=PlanAction.Status.COMPLETE)
        .annotate(work_due=_plan_due())
        .filter(work_due__lt=today)
        .filter(objective__plan__in=Plan.objects.filter(plan_q(user)))
        .exclude(owners=user)
        .select_related("objective__plan")
        .order_by("work_due", "pk")
    )


def _overdue_plan_item(a):
    return _plan_item(a, verb="Overdue:")


SOURCES = [
    Source("grade", "Audits to grade", visibility.grades_or_moderates, _grade_rows, _grade_item, "/audits/"),
    Source("moderate", "Moderations to do", visibility.grades_or_moderates, _moderate_rows, _moderate_item, "/audits/"),
    Source(
        "my_actions",
        "Your learning actions",
        visibility.is_practitioner,
        _my_action_rows,
        _action_item,
        "/audits/?section=my-work",
    ),
    Source(
        "reflect",
        "Audits of your work to reflect on",
        visibility.is_practitioner,
        _reflect_rows,
        _reflect_item,
        "/audits/?section=my-work",
    ),
    Source(
        "feedback_links",
        "Feedback links to hand over",
        visibility.is_practitioner,
        _link_rows,
        _link_item,
        "/cases/",
    ),
    Source(
        "sign_off",
        "Learning actions to sign off",
        visibility.manages_a_region,
        _sign_off_rows,
        _sign_off_item,
    ),
    Source(
        "late_sign_offs",
        "Learning actions waiting too long for sign-off",
        visibility.oversees_nationally,
        _late_sign_off_rows,
        _late_sign_off_item,
    ),
    Source(
        "overdue_audits",
        "Overdue audits",
        visibility.oversees_work,
        _overdue_audit_rows,
        _overdue_audit_item,
        "/audits/?section=region&overdue=yes",
    ),
    Source(
        "overdue_actions",
        "Overdue learning actions",
        visibility.oversees_work,
        _overdue_action_rows,
        _overdue_action_item,
    ),
    Source(
        "complaints",
        "Complaints due",
        visibility.oversees_work,
        _complaint_rows,
        _complaint_item,
        "/feedback/complaints/",
    ),
    Source("plan_actions", "Improvement-plan actions you own", lambda u: True, _owned_plan_rows, _plan_item, "/plans/"),
    Source(
        "overdue_plan_actions",
        "Overdue improvement-plan actions",
        visibility.sees_plan_actions_overdue,
        _overdue_plan_rows,
        _overdue_plan_item,
        "/plans/",
    ),
]


def total_of(counts) -> BoundedCount:
    """The sum of counts; "more than N" (the sum) when any of them stopped at its limit."""
    counts = list(counts)
    total = sum(int(c) for c in counts)
    if any(getattr(c, "capped", False) for c in counts):
        return BoundedCount(total + 1, total)  # capped: "more than <total>"
    return BoundedCount(total, max(total, 1))


@dataclass
class Group:
    source: Source
    items: list[WorkItem]
    total: int  # a BoundedCount: "more than 100" when the source has more than LIMIT rows

    @property
    def more(self) -> int:
        """How many more than are shown; at least 1 when the count stopped at its limit."""
        extra = int(self.total) - len(self.items)
        return max(extra, 1) if getattr(self.total, "capped", False) else extra


@dataclass
class WorkList:
    groups: list[Group]
    today: datetime.date

    @property
    def items(self) -> list[WorkItem]:
        """Every item, soonest first (undated last)."""
        everything = [item for group in self.groups for item in group.items]
        return sorted(everything, key=lambda i: (i.due_on is None, i.due_on or self.today, i.kind, i.object_id))

    @property
    def total(self) -> BoundedCount:
        return total_of(g.total for g in self.groups)

    @property
    def truncated(self) -> list[Group]:
        return [g for g in self.groups if g.more > 0]

    def counts(self) -> dict[str, int]:
        out = {"overdue": 0, "due_soon": 0, "due": 0}
        for item in self.items:
            out[item.state(self.today)] += 1
        return out


def sources_for(user) -> list[Source]:
    if not (user and user.is_authenticated and user.is_active):
        return []
    return [s for s in SOURCES if s.applies(user)]


def work_list(user, *, today: datetime.date | None = None, limit: int | None = None) -> WorkList:
    """This person's work: one query per source that applies to them, whatever the number of items.

    Each source reads `limit` rows and one more; a source with more has the total "more than
    `limit`" (a BoundedCount), so no query counts a long list to the end."""
    today = today or timezone.localdate()
    limit = limit or LIMIT
    groups = []
    for source in sources_for(user):
        rows = list(source.rows(user, today)[: limit + 1])
        total = BoundedCount(len(rows), limit)  # limit + 1 rows read: "more than <limit>"
        groups.append(Group(source=source, items=[source.item(r) for r in rows[:limit]], total=total))
    return WorkList(groups=groups, today=today)


def work_count(user, *, today: datetime.date | None = None) -> BoundedCount:
    """How many items are on this person's list (the navigation's count): one statement, each
    source counted up to LIMIT rows, as the list shows them ("more than 100")."""
    today = today or timezone.localdate()
    sources = sources_for(user)
    if not sources:
        return BoundedCount(0)
    counts = bounded_counts({source.key: source.rows(user, today) for source in sources}, LIMIT)
    return total_of(counts.values())


def digest_items(user, *, today: datetime.date) -> list[WorkItem]:
    """The items of the daily digest: overdue, or due within DUE_SOON_DAYS."""
    horizon = today + _days(DUE_SOON_DAYS)
    return [i for i in work_list(user, today=today).items if i.due_on is not None and i.due_on <= horizon]
