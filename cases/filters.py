"""The case list's filters and sort orders (django-filter), limited to what the viewer may see."""

import django_filters
from django import forms
from django.db.models import F, Q

from organisation import visibility
from organisation.models import Team, User
from organisation.months import MonthField, next_month
from organisation.roles import Role

from .models import ApplicationType, Case, LawType


class Status:
    OPEN = "open"
    CLOSED = "closed"
    choices = [(OPEN, "Open"), (CLOSED, "Closed")]


def _regions(request):
    return visibility.visible_regions(request.user)


def _teams(request):
    return Team.objects.filter(region__in=visibility.visible_regions(request.user)).select_related("region")


def _practitioners(request):
    practitioners = User.objects.filter(groups__name=Role.PRACTITIONER).order_by("full_name", "username")
    # Only what an option shows (User.__str__) and its value: a region's hundreds of people.
    return visibility.visible_people(request.user, practitioners).only(*PERSON_OPTION_FIELDS)


PERSON_OPTION_FIELDS = ("pk", "username", "full_name", "first_name", "last_name", "region_id")


YES_NO = [("yes", "Yes"), ("no", "No")]
FILED_ON_TIME = Q(report_filed_on__isnull=False, report_filed_on__lte=F("report_due_on"))


class MonthFilter(django_filters.Filter):
    """`field_name` in a month: from its first day (`lookup_expr` gte) or to its end (lt the next)."""

    field_class = MonthField

    def filter(self, qs, value):
        if not value:
            return qs
        if self.lookup_expr == "gte":
            return qs.filter(**{f"{self.field_name}__gte": value})
        return qs.filter(**{f"{self.field_name}__lt": next_month(value)})


class YesNoFilter(django_filters.ChoiceFilter):
    """yes: cases matching `condition`; no: the others."""

    def __init__(self, *args, condition: Q, **kwargs):
        self.condition = condition
        kwargs.setdefault("error_messages", {"invalid_choice": "Choose yes or no."})
        super().__init__(*args, choices=YES_NO, empty_label="Either", **kwargs)

    def filter(self, qs, value):
        if value == "yes":
            return qs.filter(self.condition)
        if value == "no":
            return qs.exclude(self.condition)
        return qs


class CaseFilterForm(forms.Form):
    def clean(self):
        data = super().clean()
        for first, last, words in (
            ("received_from", "received_to", "received"),
            ("due_from", "due_to", "report due"),
        ):
            if data.get(first) and data.get(last) and data[first] > data[last]:
                self.add_error(last, f"The month {words} to must be the same as or after the month from.")
        return data


class StableOrderingFilter(django_filters.OrderingFilter):
    """Sorts by the chosen column, then by reference, so pages never shuffle rows between them."""

    def filter(self, qs, value):
        qs = super().filter(qs, value)
        if value:
            qs = qs.order_by(*qs.query.order_by, "reference")
        return qs


class CaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="reference", lookup_expr="icontains", label="Reference")
    region = django_filters.ModelChoiceFilter(queryset=_regions, to_field_name="code", empty_label="All regions")
    team = django_filters.ModelChoiceFilter(queryset=_teams, to_field_name="code", empty_label="All teams")
    practitioner = django_filters.ModelChoiceFilter(
        queryset=_practitioners, to_field_name="username", empty_label="All practitioners"
    )
    law_type = django_filters.ChoiceFilter(choices=LawType.choices, empty_label="All", label="Law type")
    application_type = django_filters.ChoiceFilter(
        choices=ApplicationType.choices, empty_label="All", label="Application type"
    )
    status = django_filters.ChoiceFilter(
        choices=Status.choices, method="filter_status", empty_label="All", label="Status"
    )
    received_from = MonthFilter(field_name="received_on", lookup_expr="gte", label="Received from (month)")
    received_to = MonthFilter(field_name="received_on", lookup_expr="lte", label="Received to (month)")
    due_from = MonthFilter(field_name="report_due_on", lookup_expr="gte", label="Report due from (month)")
    due_to = MonthFilter(field_name="report_due_on", lookup_expr="lte", label="Report due to (month)")
    allocated = YesNoFilter(condition=Q(allocated_on__isnull=False), label="Allocated")
    filed_on_time = YesNoFilter(condition=FILED_ON_TIME, label="Report filed on time")
    da_alleged = YesNoFilter(condition=Q(domestic_abuse_alleged=True), label="Domestic abuse alleged")
    da_substantiated = YesNoFilter(condition=Q(domestic_abuse_substantiated=True), label="Domestic abuse substantiated")
    sort = StableOrderingFilter(
        fields=(
            ("reference", "reference"),
            ("region__name", "region"),
            ("team__name", "team"),
            ("practitioner__full_name", "practitioner"),
            ("law_type", "law_type"),
            ("application_type", "application_type"),
            ("closed_on", "status"),
            ("shown_grade", "grade"),  # never a grade hidden from a blind moderator
            ("received_on", "received"),
        ),
        label="Sort by",
    )

    class Meta:
        model = Case
        form = CaseFilterForm
        fields = [
            "q",
            "region",
            "team",
            "practitioner",
            "law_type",
            "application_type",
            "status",
            "received_from",
            "received_to",
            "due_from",
            "due_to",
            "allocated",
            "filed_on_time",
            "da_alleged",
            "da_substantiated",
        ]

    def filter_status(self, queryset, name, value):
        if value == Status.OPEN:
            return queryset.filter(closed_on__isnull=True)
        if value == Status.CLOSED:
            return queryset.filter(closed_on__isnull=False)
        return queryset
