"""The one place that answers "which regions, cases and audits may this person see".

Every view, export and API calls these helpers; nothing else filters by role. The
helpers return Q objects over string paths (so this app never imports the apps it
serves) plus small wrappers that apply them to a queryset. A person may hold several
roles: what they may see is the union of what each role allows.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from .models import Region
from .roles import Role

NOTHING = Q(pk__in=[])

# Roles that look across the whole country.
NATIONAL_ROLES = (Role.QUALITY_ADMIN, Role.ASSISTANT_DIRECTOR, Role.BOARD_MEMBER)
# Roles that may open case-level records (a child's case, an audit of it).
CASE_ROLES = (Role.PRACTITIONER, Role.AUDITOR, Role.SERVICE_MANAGER, Role.QUALITY_ADMIN)
DASHBOARD_ROLES = (Role.SERVICE_MANAGER, Role.ASSISTANT_DIRECTOR, Role.BOARD_MEMBER, Role.QUALITY_ADMIN)
PLAN_READ_ROLES = (Role.SERVICE_MANAGER, Role.ASSISTANT_DIRECTOR, Role.BOARD_MEMBER, Role.QUALITY_ADMIN)
PLAN_EDIT_ROLES = (Role.ASSISTANT_DIRECTOR, Role.QUALITY_ADMIN)


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_admin(user) -> bool:
    return _active(user) and (user.is_superuser or user.has_role(Role.QUALITY_ADMIN))


# ---- regions -------------------------------------------------------------------------


def sees_all_regions(user) -> bool:
    return _active(user) and (user.is_superuser or user.has_role(*NATIONAL_ROLES))


def visible_regions(user) -> QuerySet[Region]:
    """Regions whose figures this person may read (dashboards, plans, lists)."""
    if not _active(user):
        return Region.objects.none()
    if sees_all_regions(user):
        return Region.objects.all()
    if user.region_id:
        return Region.objects.filter(pk=user.region_id)
    return Region.objects.none()


def can_see_region(user, region) -> bool:
    return sees_all_regions(user) or (_active(user) and user.region_id is not None and user.region_id == region.pk)


def can_see_dashboards(user) -> bool:
    return _active(user) and (user.is_superuser or user.has_role(*DASHBOARD_ROLES))


def can_read_plans(user) -> bool:
    return _active(user) and (user.is_superuser or user.has_role(*PLAN_READ_ROLES))


def can_edit_plans(user) -> bool:
    return _active(user) and (user.is_superuser or user.has_role(*PLAN_EDIT_ROLES))


# ---- cases ---------------------------------------------------------------------------


def can_see_cases(user) -> bool:
    """Board members and assistant directors read aggregates only, never a child's case."""
    return _active(user) and (user.is_superuser or user.has_role(*CASE_ROLES))


def case_q(user, prefix: str = "") -> Q:
    """A Q over a Case (or over a path to one, e.g. prefix="case__") for what this person may see."""
    if not can_see_cases(user):
        return NOTHING
    if is_admin(user):
        return Q()
    q = NOTHING
    if user.has_role(Role.SERVICE_MANAGER, Role.AUDITOR) and user.region_id:
        q |= Q(**{f"{prefix}region_id": user.region_id})
    if user.has_role(Role.PRACTITIONER):
        q |= Q(**{f"{prefix}practitioner_id": user.pk})
    return q


def visible_cases(user, qs: QuerySet) -> QuerySet:
    if not can_see_cases(user):
        return qs.none()
    return qs.filter(case_q(user))


def visible_people(user, qs: QuerySet) -> QuerySet:
    """People whose caseload this person may look through (the case list's practitioner filter):
    everyone for admins, their region's people for managers and auditors, themselves otherwise."""
    if not can_see_cases(user):
        return qs.none()
    if is_admin(user):
        return qs
    q = Q(pk=user.pk)
    if user.has_role(Role.SERVICE_MANAGER, Role.AUDITOR) and user.region_id:
        q |= Q(region_id=user.region_id)
    return qs.filter(q)


# ---- audits --------------------------------------------------------------------------


def audit_q(user) -> Q:
    """A Q over Audit for what this person may see.

    Managers see the audits recorded in their region: the audit's own region, copied from
    the case when the audit is made, followed while it is open and fixed at completion (so
    history stays put when a case moves, and the lists read an indexed column, no join);
    auditors their own allocations and the audits they moderate plus their region's;
    practitioners the audits of their own cases, never colleagues'.
    """
    if not can_see_cases(user):
        return NOTHING
    if is_admin(user):
        return Q()
    q = NOTHING
    if user.has_role(Role.SERVICE_MANAGER) and user.region_id:
        q |= Q(region_id=user.region_id)
    if user.has_role(Role.AUDITOR):
        q |= Q(auditor_id=user.pk) | Q(moderation__moderator_id=user.pk)
        if user.region_id:
            q |= Q(region_id=user.region_id)
    if user.has_role(Role.PRACTITIONER):
        q |= Q(case__practitioner_id=user.pk) | Q(practitioner_id=user.pk)
    return q


def visible_audits(user, qs: QuerySet) -> QuerySet:
    if not can_see_cases(user):
        return qs.none()
    return qs.filter(audit_q(user))


# ---- feedback --------------------------------------------------------------------------


def feedback_q(user) -> Q:
    """A Q over Feedback: managers and auditors their region's, practitioners their own cases'.

    Anonymous feedback has no case: it counts for its region and team only, so a
    practitioner never sees it, and a manager sees it without a case reference.
    """
    if not can_see_cases(user):
        return NOTHING
    if is_admin(user):
        return Q()
    q = NOTHING
    if user.has_role(Role.SERVICE_MANAGER, Role.AUDITOR) and user.region_id:
        q |= Q(region_id=user.region_id)
    if user.has_role(Role.PRACTITIONER):
        q |= Q(case__practitioner_id=user.pk)
    return q


def visible_feedback(user, qs: QuerySet) -> QuerySet:
    if not can_see_cases(user):
        return qs.none()
    return qs.filter(feedback_q(user))


# ---- loading one protected row ---------------------------------------------------------


def require(allowed: bool) -> None:
    """Raise 403 unless allowed: `require(can_see_dashboards(request.user))`."""
    if not allowed:
        raise PermissionDenied
