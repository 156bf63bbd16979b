"""Reads the case pages share: the visible caseload, and one loader for a single case."""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from organisation import visibility

from .models import Case, Child


def cases_for_list(user) -> QuerySet[Case]:
    """Every case this person may see, with what a list row shows (region, team, practitioner)."""
    return visibility.visible_cases(user, Case.objects.for_list())


def get_case_for(user, reference: str) -> Case:
    """The one way pages load a case: 403 for people who never see cases (board members,
    assistant directors), 404 when the case is not one this person may see. Two queries:
    the case with its region, team and practitioner, and its children."""
    visibility.require(visibility.can_see_cases(user))
    if "\x00" in reference:  # no reference holds one, and PostgreSQL refuses to compare it
        raise Http404("No such case")
    case = cases_for_list(user).filter(reference=reference).first()
    if case is None:
        raise Http404("No such case")
    case.child_list = list(Child.objects.filter(case=case).order_by("label"))
    return case


def require_case_export(user) -> None:
    """Only quality admins download the caseload."""
    if not visibility.is_admin(user):
        raise PermissionDenied("Only quality admins may export cases.")
