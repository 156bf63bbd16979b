"""Reads the case pages share: the visible caseload, and one loader for a single case."""

from django.core.exceptions import PermissionDenied
from django.db.models import Case as SqlCase
from django.db.models import Exists, F, OuterRef, PositiveSmallIntegerField, QuerySet, Value, When
from django.http import Http404

from organisation import visibility

from .models import Case, Child


def cases_for_list(user) -> QuerySet[Case]:
    """Every case this person may see, with what a list row shows (region, team, practitioner).

    `grade_hidden` is true where this person is moderating an audit of the case: a blind
    moderator must not read the grade under moderation, so `shown_grade` (what the list
    shows and sorts by) is empty there.
    """
    hidden = Exists(Case.objects.filter(visibility.blind_moderation_q(user, "audits__"), pk=OuterRef("pk")))
    return (
        visibility.visible_cases(user, Case.objects.for_list())
        .annotate(grade_hidden=hidden)
        .annotate(
            shown_grade=SqlCase(
                When(grade_hidden=True, then=Value(None)),
                default=F("last_audit_grade"),
                output_field=PositiveSmallIntegerField(),
            )
        )
    )


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
