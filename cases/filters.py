"""The case list's filters and sort orders (django-filter), limited to what the viewer may see."""

import django_filters

from organisation import visibility
from organisation.models import Team, User
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
    return visibility.visible_people(request.user, practitioners)


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
        fields = ["q", "region", "team", "practitioner", "law_type", "application_type", "status"]

    def filter_status(self, queryset, name, value):
        if value == Status.OPEN:
            return queryset.filter(closed_on__isnull=True)
        if value == Status.CLOSED:
            return queryset.filter(closed_on__isnull=False)
        return queryset
