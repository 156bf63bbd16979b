"""The /audits/ lists (to do, done, audits of my work, a region's audits) and the practitioner's replies.

One page with a sub-navigation of real links (`?section=…`), so it works without
JavaScript; a person with several roles sees every section that applies. Every list
starts from `organisation.visibility.visible_audits` and then narrows to the section.
Each section costs a fixed number of queries whatever the number of audits: a count and
a page of rows (plus one prefetch of learning actions, the filter options and one
statement of counts where the section shows them).

At national scale (a million audits) every list filters on the audit's own indexed
columns (region, team, auditor, practitioner: copied from the case when the audit is
made), reads its page from an index in the list's order, and counts at most 10,000 rows
per figure (`organisation.paging`): above that the page says "more than 10,000" and
offers the first 10,000, asking for a filter to see the rest.
"""

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case as SqlCase
from django.db.models import Exists, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods

from audits.models import (
    GRADED_STATUSES,
    GRADING_STATUSES,
    Audit,
    AuditStatus,
    AuditTemplate,
    Grade,
    Judgement,
    LearningAction,
)
from audits.selectors import get_audit_for
from audits.services.responses import (
    RESPONSE_MAX_LENGTH,
    audit_response_record,
    is_audited_practitioner,
)
from organisation import visibility
from organisation.access_log import Kind as AccessKind
from organisation.access_log import record_view
from organisation.join_order import joins_as_written
from organisation.models import Region, Team, User
from organisation.months import MonthField, next_month
from organisation.paging import BoundedPaginator, SegmentedList, bounded_counts
from organisation.roles import Role

# What a person's <option> shows (User.__str__) and its value: a region's hundreds of people.
PERSON_OPTION_FIELDS = ("pk", "username", "full_name", "first_name", "last_name", "region_id")

PAGE_SIZES = {"todo": 50, "done": 25, "my-work": 10, "region": 50}


@dataclass(frozen=True)
class Section:
    key: str
    label: str


def sections_for(user) -> list[Section]:
    """The lists this person may open, in the order the sub-navigation shows them (the rule:
    organisation.visibility.audit_lists)."""
    return [Section(key, label) for key, label in visibility.audit_lists(user)]


def overdue_q(today) -> Q:
    """The same rule as Audit.is_overdue, as a filter."""
    return Q(status__in=GRADING_STATUSES, due_on__lt=today)


# ---- the sections' querysets -----------------------------------------------------------


def todo_audits(user, today) -> QuerySet[Audit]:
    """Scheduled and in-progress audits allocated to this auditor: overdue first, then by due date."""
    qs = visibility.visible_audits(user, Audit.objects.filter(auditor_id=user.pk, status__in=GRADING_STATUSES))
    return (
        qs.for_list()
        .annotate(
            overdue_rank=SqlCase(When(due_on__lt=today, then=Value(0)), default=Value(1), output_field=IntegerField())
        )
        .order_by("overdue_rank", F("due_on").asc(nulls_last=True), "pk")
    )


def done_audits(user) -> QuerySet[Audit]:
    """Audits this auditor has submitted or completed, newest first (index audits/0008 on PostgreSQL)."""
    qs = visibility.visible_audits(user, Audit.objects.filter(auditor_id=user.pk, status__in=GRADED_STATUSES))
    return qs.for_list().order_by(
        Coalesce("completed_at", "submitted_at").desc(nulls_last=True), F("completed_on").desc(nulls_last=True), "-pk"
    )


def my_work_audits(user) -> QuerySet[Audit]:
    """Completed audits of this practitioner's own work, never a colleague's.

    The practitioner copied onto the audit decides whose work it was (the one rule,
    visibility.audit_practitioner_q), so a case re-allocated later does not show its
    earlier audits to the new practitioner.
    """
    own = visibility.audit_practitioner_q(user)
    qs = visibility.visible_audits(user, Audit.objects.completed().filter(own))
    return (
        qs.select_related("case", "auditor", "template")
        .prefetch_related(Prefetch("learning_actions", queryset=LearningAction.objects.order_by("due_on", "pk")))
        .order_by(F("completed_on").desc(nulls_last=True), "-pk")
    )


def region_scope(user) -> QuerySet[Audit]:
    """The audits a manager oversees: those recorded in their region (the audit's own region,
    copied from the case when the audit is made and again at completion); all for admins."""
    qs = visibility.visible_audits(user, Audit.objects.all())
    if not visibility.is_admin(user):
        qs = qs.filter(region_id=user.region_id)
    return qs


# ---- the managers' filters --------------------------------------------------------------

GRADE_FILTER_CHOICES = [
    ("", "Any grade"),
    ("good_or_better", "Good or better"),
    ("below_good", "Below good"),
    *[(str(value), label) for value, label in reversed(Grade.choices)],
]
# grade filter -> (lowest, highest) final grade
GRADE_RANGES = {
    "good_or_better": (Grade.GOOD, Grade.OUTSTANDING),
    "below_good": (Grade.REQUIRES_IMPROVEMENT, Grade.MEETS_STANDARD),
    **{str(value): (value, value) for value in Grade.values},
}
# criterion answer filter -> what the criterion's judgement on the audit must hold; no answer
# filter: any answer or grade (the "n" of a criterion's figure, as the dashboards count it).
CRITERION_ANSWERS = {
    "": Q(grade__isnull=False) | Q(answer__isnull=False),
    "yes": Q(answer=True),
    "no": Q(answer=False),
    "good_or_better": Q(grade__gte=Grade.GOOD),
}
CRITERION_ANSWER_CHOICES = [
    ("", "Any answer"),
    ("yes", "Answered yes"),
    ("no", "Answered no"),
    ("good_or_better", "Graded good or better"),
]


class _TeamChoiceField(forms.ModelChoiceField):
    def __init__(self, *args, with_region=False, **kwargs):
        self.with_region = with_region
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        return f"{obj.region.name}: {obj.name}" if self.with_region else obj.name


class _PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return str(obj)


def _pick(field_class, queryset, to_field_name: str, empty_label: str, what: str):
    """An optional filter naming a row by `to_field_name`; options set per person in __init__."""
    return field_class(
        queryset=queryset,
        to_field_name=to_field_name,
        required=False,
        empty_label=empty_label,
        error_messages={"invalid_choice": f"Choose {what} from the list."},
    )


def _choice(choices, what: str, **kwargs):
    """An optional filter from a fixed list of choices."""
    return forms.ChoiceField(
        choices=choices, required=False, error_messages={"invalid_choice": f"Choose {what} from the list."}, **kwargs
    )


class RegionFilterForm(forms.Form):
    """Filters of the region list, from the query string; bad values are reported, never a 500."""

    region = _pick(forms.ModelChoiceField, Region.objects.none(), "code", "All regions", "a region")
    status = _choice([("", "Any status"), *AuditStatus.choices], "a status")
    team = _pick(_TeamChoiceField, Team.objects.none(), "code", "All teams", "a team")
    auditor = _pick(_PersonChoiceField, User.objects.none(), "username", "All auditors", "an auditor")
    overdue = forms.ChoiceField(
        choices=[("", "Overdue or not"), ("yes", "Overdue only"), ("no", "Not overdue")],
        required=False,
        error_messages={"invalid_choice": "Choose overdue only, not overdue, or either."},
    )
    # Filters a dashboard figure links with (drill-down): the audits behind the number.
    grade = _choice(GRADE_FILTER_CHOICES, "a grade")
    practitioner = _pick(_PersonChoiceField, User.objects.none(), "username", "All practitioners", "a practitioner")
    template = _choice([("", "All templates")], "an audit template")
    completed_from = MonthField(label="Completed from (month)", required=False)
    completed_to = MonthField(label="Completed to (month)", required=False)
    criterion = forms.SlugField(
        label="Criterion code",
        max_length=60,
        required=False,
        error_messages={
            "invalid": "Enter a criterion code: letters, digits, hyphens and underscores only.",
            "max_length": "Enter a criterion code of at most 60 characters.",
        },
    )
    criterion_answer = _choice(CRITERION_ANSWER_CHOICES, "a criterion answer", label="Criterion answer")

    def clean(self):
        data = super().clean()
        first, last = data.get("completed_from"), data.get("completed_to")
        if first and last and first > last:
            self.add_error("completed_to", "The month completed to must be the same as or after the month from.")
        if data.get("criterion_answer") and not data.get("criterion") and "criterion" not in self.errors:
            self.add_error("criterion", "Enter the criterion code whose answer to filter by.")
        return data

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.national = visibility.is_admin(user)
        regions = visibility.visible_regions(user)
        teams = Team.objects.filter(region__in=regions).select_related("region").order_by("region__name", "name")
        auditors = User.objects.filter(groups__name=Role.AUDITOR, is_active=True).order_by("full_name", "username")
        # A manager's list holds one region (a dashboard figure's drill-down names it, so audits of
        # cases that moved into the region after completion elsewhere are left out, as in the figure).
        self.fields["region"].queryset = regions.order_by("name")
        if self.national:
            self.fields["team"].with_region = True
        else:
            auditors = auditors.filter(region__in=regions)
        self.fields["team"].queryset = teams
        self.fields["auditor"].queryset = auditors.distinct().only(*PERSON_OPTION_FIELDS)
        practitioners = User.objects.filter(groups__name=Role.PRACTITIONER).order_by("full_name", "username")
        if not self.national:
            practitioners = practitioners.filter(region__in=regions)
        self.fields["practitioner"].queryset = practitioners.distinct().only(*PERSON_OPTION_FIELDS)
        slugs = AuditTemplate.objects.filter(is_current=True).order_by("name").values_list("slug", "name")
        self.fields["template"].choices = [("", "All templates"), *slugs]

    def fields_with_options(self) -> list[tuple]:
        """(bound field, its <option>s as HTML) with each list read once (one query per model field).

        Written here rather than by a template loop: a region's practitioners and auditors are a
        few hundred options, and a template tag per option was a large share of the page's CPU."""
        out = []
        for bound in self:
            if not hasattr(bound.field, "choices"):
                continue
            current = bound.value()
            current = "" if current is None else str(current)
            options = format_html_join(
                "\n",
                '<option value="{}"{}>{}</option>',
                (
                    (value, mark_safe(" selected") if value == current else "", label)  # noqa: S308 (a constant)
                    for value, label in ((str(value), label) for value, label in bound.field.choices)
                ),
            )
            out.append((bound, options))
        return out

    def month_fields(self) -> list:
        return [self["completed_from"], self["completed_to"]]

    def text_fields(self) -> list:
        return [self["criterion"]]

    def apply(self, qs: QuerySet[Audit], today, *, with_status=True) -> QuerySet[Audit]:
        """The queryset narrowed by the valid filters (a filter that failed validation is left out)."""
        data = getattr(self, "cleaned_data", {})
        if data.get("region"):
            qs = qs.filter(region_id=data["region"].pk)
        if data.get("team"):
            # The team's region too, so the (status, region, team) index serves the counts.
            qs = qs.filter(region_id=data["team"].region_id, team_id=data["team"].pk)
        if data.get("auditor"):
            qs = qs.filter(auditor=data["auditor"])
        qs = self._apply_criterion(self._apply_drill_down(qs, data), data)
        if with_status:
            if data.get("status"):
                qs = qs.filter(status=data["status"])
            if data.get("overdue") == "yes":
                qs = qs.filter(overdue_q(today))
            elif data.get("overdue") == "no":
                qs = qs.exclude(overdue_q(today))
        return qs

    @staticmethod
    def _apply_drill_down(qs: QuerySet[Audit], data: dict) -> QuerySet[Audit]:
        """Grade (the final grade, as the dashboards count it), practitioner, template and months of
        completion: the filters that reproduce a dashboard figure."""
        grade = data.get("grade")
        if grade in GRADE_RANGES:
            low, high = GRADE_RANGES[grade]
            qs = qs.filter(final_grade__gte=low, final_grade__lte=high)
        if data.get("practitioner"):
            person = data["practitioner"]
            qs = qs.filter(Q(practitioner=person) | Q(practitioner__isnull=True, case__practitioner=person))
        if data.get("template"):
            qs = qs.filter(template__slug=data["template"])
        if data.get("completed_from"):
            qs = qs.filter(completed_on__gte=data["completed_from"])
        if data.get("completed_to"):
            qs = qs.filter(completed_on__lt=next_month(data["completed_to"]))
        return qs

    @staticmethod
    def _apply_criterion(qs: QuerySet[Audit], data: dict) -> QuerySet[Audit]:
        """Audits whose judgement on the criterion (by its code, the same in every template version)
        holds the answer asked for: as the dashboards' yes/no and criterion figures count it."""
        code = data.get("criterion")
        if not code:
            return qs
        wanted = CRITERION_ANSWERS[data.get("criterion_answer") or ""]
        return qs.filter(Exists(Judgement.objects.filter(wanted, audit=OuterRef("pk"), criterion__code=code)))


LIST_ORDER = (F("due_on").desc(nulls_last=True), F("pk").desc())


def region_counts(scope: QuerySet[Audit], listed: QuerySet[Audit], today) -> dict:
    """In one statement, each count stopping at 10,000 rows: by status and overdue over the
    scope (the filters but status and overdue, so each count links to its filter), and the
    rows the list shows (all, and overdue: the list's first segment)."""
    wanted = {"total": scope, "overdue": scope.filter(overdue_q(today))}
    for value, _label in AuditStatus.choices:
        wanted[value] = scope.filter(status=value)
    wanted["listed"] = listed
    wanted["listed_overdue"] = listed.filter(overdue_q(today))
    return bounded_counts(wanted)


def region_rows(listed: QuerySet[Audit], counts: dict, today, user) -> SegmentedList:
    """Overdue audits first (managers chase them), then the rest; each by due date, latest
    first, then newest: two index-ordered reads (the PostgreSQL indexes of audits/0007)."""
    # A moderator grades blind: the grade under their moderation is hidden from them here too.
    rows = listed.for_list().select_related("team", "region").with_grade_hidden(user)
    overdue = counts["listed_overdue"]
    rest = max(0, int(counts["listed"]) - int(overdue))
    return SegmentedList(
        [
            (rows.filter(overdue_q(today)).order_by(*LIST_ORDER), overdue),
            (rows.exclude(overdue_q(today)).order_by(*LIST_ORDER), rest),
        ]
    )


# ---- the view ---------------------------------------------------------------------------


def _page_number(request, errors: list) -> int:
    raw = request.GET.get("page", "1")
    try:
        number = int(raw)
    except ValueError:
        number = 0
    if number < 1:
        errors.append(("page", "The page number must be a whole number, 1 or more."))
        return 1
    return number


def audit_list(request):
    user = request.user
    # External and volunteer moderators see their own allocations only (visible_audits).
    visibility.require(visibility.can_see_cases(user) or visibility.is_external_moderator(user))
    sections = sections_for(user)
    if not sections:
        raise PermissionDenied
    errors = []  # (field, message): shown in an error summary; the page still renders
    keys = [s.key for s in sections]
    wanted = request.GET.get("section") or keys[0]
    if wanted not in keys:
        errors.append(("section", "That list is not available to you. Choose one of the lists below."))
        wanted = keys[0]
    current = next(s for s in sections if s.key == wanted)
    number = _page_number(request, errors)
    today = timezone.localdate()
    context = {"sections": sections, "current": current, "today": today}
    known_count = None

    if current.key == "todo":
        qs = todo_audits(user, today)
    elif current.key == "done":
        qs = done_audits(user)
    elif current.key == "my-work":
        qs = my_work_audits(user)
    else:
        form = RegionFilterForm(request.GET, user=user)
        if not form.is_valid():
            for field, messages in form.errors.items():
                errors += [(field, message) for message in messages]
        scope = region_scope(user)
        listed = form.apply(scope, today)
        counts = region_counts(form.apply(scope, today, with_status=False), listed, today)
        context["counts"] = counts
        qs = region_rows(listed, counts, today, user)
        known_count = counts["listed"]
        context["form"] = form
        context["filters"] = form.fields_with_options()
        context["month_filters"] = form.month_fields()
        context["text_filters"] = form.text_fields()

    paginator = BoundedPaginator(qs, PAGE_SIZES[current.key], count=known_count)
    if number > 1 and number > paginator.num_pages:
        if paginator.capped:
            limit = f"{paginator.count.limit:,}"
            message = (
                f"There is no page {number}: only the first {limit} audits are listed. Choose filters to see others."
            )
            errors.append(("page", message))
        else:
            errors.append(("page", f"There is no page {number}: this list has {paginator.num_pages}."))
        number = paginator.num_pages
    # A page of audits with their case, region, team, people and template: up to 9 tables joined,
    # which PostgreSQL took up to 50 ms to plan (for 1 ms of work). The written order (the
    # audits from the list's index, then each related row by its key) is the plan it finds.
    with joins_as_written():
        page = paginator.page(number)
        page.object_list = list(page.object_list)
    context.update({"page": page, "audits": page.object_list, "errors": errors})
    template = "audits/list.html"
    return render(request, template, context, status=400 if errors else 200)


# ---- the practitioner's reflective response and learning actions -------------------------


def _my_work_url(audit) -> str:
    return f"{reverse('audits:list')}?section=my-work#my-work-{audit.pk}"


class ResponseForm(forms.Form):
    response = forms.CharField(
        max_length=RESPONSE_MAX_LENGTH,
        strip=True,
        widget=forms.Textarea,
        error_messages={
            "required": "Enter your response.",
            "max_length": f"Your response must be {RESPONSE_MAX_LENGTH:,} characters or fewer.",
        },
    )


@require_http_methods(["GET", "POST"])
def audit_response(request, pk):
    """GET: the response form on its own page; POST: store it (only the audited practitioner)."""
    audit = get_audit_for(request.user, pk)  # 404 unless the person may see the audit
    if not is_audited_practitioner(audit=audit, user=request.user):
        raise PermissionDenied
    if audit.status != AuditStatus.COMPLETED:
        messages.error(request, "You can respond to an audit once it is completed.")
        return redirect(reverse("audits:list"))
    if request.method == "POST":
        form = ResponseForm(request.POST)
        if form.is_valid():
            try:
                audit_response_record(audit=audit, by=request.user, text=form.cleaned_data["response"])
            except ValidationError as e:
                for message in e.messages:
                    form.add_error("response", message)
            else:
                messages.success(request, f"Your response to the audit of case {audit.case.reference} is saved.")
                return redirect(_my_work_url(audit))
        return render(request, "audits/response.html", {"audit": audit, "form": form}, status=400)
    form = ResponseForm(initial={"response": audit.practitioner_response})
    record_view(request, AccessKind.AUDIT, object_id=audit.pk, case_reference=audit.case.reference)
    return render(request, "audits/response.html", {"audit": audit, "form": form})
