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


def can_close_case(user, case) -> bool:
    """The allocated practitioner, the region's service managers and quality admins close a case."""
    if is_admin(user):
        return True
    if not _active(user):
        return False
    manager = user.has_role(Role.SERVICE_MANAGER) and user.region_id is not None and user.region_id == case.region_id
    return manager or (user.has_role(Role.PRACTITIONER) and case.practitioner_id == user.pk)


# ---- audits --------------------------------------------------------------------------


def audit_practitioner_q(user) -> Q:
    """A Q over Audit: the audits of this practitioner's own work.

    Whose work an audit grades is the practitioner recorded on the audit (copied from the
    case when the audit is created and again when it completes), never whoever holds the
    case now: after a re-allocation the earlier audits, their evidence and their grades
    stay with the practitioner whose work they graded. Only an audit not yet completed and
    made without a copy (before copies were made at creation) falls back to the case's
    practitioner; a completed audit without one graded a case nobody held, so it is no
    practitioner's.
    """
    return Q(practitioner_id=user.pk) | (
        Q(practitioner__isnull=True, case__practitioner_id=user.pk) & ~Q(status="completed")
    )


def is_external_moderator(user) -> bool:
    """Volunteer and external moderators open only what is assigned to them (see audit_q)."""
    return _active(user) and user.has_role(Role.EXTERNAL_MODERATOR)


def _assigned_audits_q(user) -> Q:
    return Q(auditor_id=user.pk) | Q(moderation__moderator_id=user.pk)


def audit_q(user) -> Q:
    """A Q over Audit for what this person may see.

    Managers see the audits recorded in their region: the audit's own region, copied from
    the case when the audit is made, followed while it is open and fixed at completion (so
    history stays put when a case moves, and the lists read an indexed column, no join);
    auditors their own allocations and the audits they moderate plus their region's;
    practitioners the audits of their own work (audit_practitioner_q), never colleagues'; external
    and volunteer moderators only the audits given to them (to grade or to moderate).
    """
    q = _assigned_audits_q(user) if is_external_moderator(user) else NOTHING
    if not can_see_cases(user):
        return q
    if is_admin(user):
        return Q()
    if user.has_role(Role.SERVICE_MANAGER) and user.region_id:
        q |= Q(region_id=user.region_id)
    if user.has_role(Role.AUDITOR):
        q |= Q(auditor_id=user.pk) | Q(moderation__moderator_id=user.pk)
        if user.region_id:
            q |= Q(region_id=user.region_id)
    if user.has_role(Role.PRACTITIONER):
        q |= audit_practitioner_q(user)
    return q


def blind_moderation_q(user, prefix: str = "") -> Q:
    """A Q over Audit (or over a path to one, e.g. prefix="audits__" from a Case) for the
    audits this person is moderating now. A moderator grades blind: until their grade is
    in, every page hides the grade under moderation from them (the case list and case page
    show the case's last grade, the audit lists and the case's audits the final grade)."""
    if not _active(user):
        return NOTHING
    return Q(**{f"{prefix}moderation__moderator_id": user.pk, f"{prefix}moderation__completed_at__isnull": True})


def visible_audits(user, qs: QuerySet) -> QuerySet:
    if not can_see_audits(user):
        return qs.none()
    return qs.filter(audit_q(user))


def can_see_audits(user) -> bool:
    """The audit lists: the case roles, and the external moderators (what is given to them)."""
    return can_see_cases(user) or is_external_moderator(user)


def is_auditor(user) -> bool:
    return _active(user) and user.has_role(Role.AUDITOR)


def grades_or_moderates(user) -> bool:
    """Auditors, and the external and volunteer moderators given audits to grade or moderate."""
    return _active(user) and user.has_role(Role.AUDITOR, Role.EXTERNAL_MODERATOR)


def is_practitioner(user) -> bool:
    """Practitioners: their work is audited (learning actions, reflections) and they hand over feedback links."""
    return _active(user) and user.has_role(Role.PRACTITIONER)


def audit_lists(user) -> list[tuple[str, str]]:
    """(key, label) of the audit lists this person may open, in the order the sub-navigation shows them."""
    lists = []
    if grades_or_moderates(user):
        lists += [("todo", "To do"), ("done", "Done")]
    if is_practitioner(user):
        lists.append(("my-work", "Audits of my work"))
    if is_admin(user):
        lists.append(("region", "All audits"))
    elif _active(user) and user.has_role(Role.SERVICE_MANAGER) and user.region_id:
        lists.append(("region", "My region's audits"))
    return lists


def may_create_audit(user) -> bool:
    """Schedule an audit of a case: service managers (their region's cases) and quality admins."""
    return is_admin(user) or (_active(user) and user.has_role(Role.SERVICE_MANAGER))


def can_see_audit_history(user, *region_ids) -> bool:
    """Who changed what in an audit: quality admins, and service managers of its region (the
    audit's own region or its case's, `region_ids`)."""
    if is_admin(user):
        return True
    return (
        _active(user)
        and user.has_role(Role.SERVICE_MANAGER)
        and user.region_id is not None
        and user.region_id in region_ids
    )


# ---- feedback --------------------------------------------------------------------------


def feedback_q(user) -> Q:
    """A Q over Feedback: managers and auditors their region's, practitioners their own.

    A practitioner reads the feedback, compliments and complaints given while they held
    the case: the practitioner recorded on the feedback when it came in, not whoever
    holds the case now (a re-allocated case's earlier complaint stays with the
    practitioner it was about). Anonymous feedback has no case and no practitioner: it
    counts for its region and team only, so a practitioner never sees it, and a manager
    sees it without a case reference.
    """
    if not can_see_cases(user):
        return NOTHING
    if is_admin(user):
        return Q()
    q = NOTHING
    if user.has_role(Role.SERVICE_MANAGER, Role.AUDITOR) and user.region_id:
        q |= Q(region_id=user.region_id)
    if user.has_role(Role.PRACTITIONER):
        q |= Q(practitioner_id=user.pk)
    return q


def visible_feedback(user, qs: QuerySet) -> QuerySet:
    if not can_see_cases(user):
        return qs.none()
    return qs.filter(feedback_q(user))


# Staff who record feedback received outside the online form, and hand over feedback links.
FEEDBACK_STAFF_ROLES = (Role.PRACTITIONER, Role.SERVICE_MANAGER, Role.QUALITY_ADMIN)


def may_record_feedback(user) -> bool:
    return is_admin(user) or (can_see_cases(user) and user.has_role(*FEEDBACK_STAFF_ROLES))


def can_handle_complaints(user) -> bool:
    """Service managers handle their region's complaints; quality admins and assistant directors
    (who follow the regions' work nationally, see oversight_q) everyone's."""
    return oversees_nationally(user) or (
        _active(user) and user.has_role(Role.SERVICE_MANAGER) and user.region_id is not None
    )


def complaint_q(user) -> Q:
    """A Q over Feedback (complaints) for what this person may handle."""
    if oversees_nationally(user):
        return Q()
    if can_handle_complaints(user):
        return Q(region_id=user.region_id)
    return NOTHING


def visible_complaints(user, qs: QuerySet) -> QuerySet:
    return qs.filter(complaint_q(user))


def complaint_owner_q(region_id) -> Q:
    """A Q over people who may own a complaint of this region: its service managers, quality admins."""
    return Q(groups__name=Role.QUALITY_ADMIN) | Q(groups__name=Role.SERVICE_MANAGER, region_id=region_id)


# ---- loading one protected row ---------------------------------------------------------


def require(allowed: bool) -> None:
    """Raise 403 unless allowed: `require(can_see_dashboards(request.user))`."""
    if not allowed:
        raise PermissionDenied


# ---- work lists, sign-off and reflections -------------------------------------------------
# Who is chased for what: the work lists (work app) and the learning loop (audits) ask here.


def oversight_q(user, region_field: str) -> Q:
    """A Q over rows carrying a region (`region_field`, e.g. "audit__region_id") that this person
    oversees for their work list: assistant directors and quality admins nationally, service
    managers their home region, nobody else (auditors and practitioners see only their own work)."""
    if not _active(user):
        return NOTHING
    if user.is_superuser or user.has_role(Role.ASSISTANT_DIRECTOR, Role.QUALITY_ADMIN):
        return Q()
    if user.has_role(Role.SERVICE_MANAGER) and user.region_id:
        return Q(**{region_field: user.region_id})
    return NOTHING


def oversees_work(user) -> bool:
    return _active(user) and (
        user.is_superuser
        or user.has_role(Role.ASSISTANT_DIRECTOR, Role.QUALITY_ADMIN)
        or (user.has_role(Role.SERVICE_MANAGER) and user.region_id is not None)
    )


def has_work_list(user) -> bool:
    """Everyone with a role (or a superuser) has a work list ("My work")."""
    return _active(user) and bool(user.roles or user.is_superuser)


def manages_a_region(user) -> bool:
    """Service managers (sign-off of their region's learning actions)."""
    return _active(user) and user.has_role(Role.SERVICE_MANAGER)


def may_open_drill_down_lists(user) -> bool:
    """Dashboard figures link to the audit, case and feedback lists behind them for quality admins
    and service managers (the people who act on a figure); others see the figures alone."""
    return bool(user is not None and can_see_cases(user) and (is_admin(user) or manages_a_region(user)))


def oversees_nationally(user) -> bool:
    """Assistant directors and quality admins follow the regions' work from the national level."""
    return _active(user) and (user.is_superuser or user.has_role(Role.ASSISTANT_DIRECTOR, Role.QUALITY_ADMIN))


def can_sign_off_learning(user, region_id) -> bool:
    """Only a service manager of the region where the audit was completed signs off or returns
    a learning action (the region copied onto the audit: a later re-allocation moves nothing)."""
    return (
        _active(user)
        and user.has_role(Role.SERVICE_MANAGER)
        and user.region_id is not None
        and user.region_id == region_id
    )


def sign_off_q(user, region_field: str) -> Q:
    """A Q over rows this person may sign off (the same rule as can_sign_off_learning)."""
    if _active(user) and user.has_role(Role.SERVICE_MANAGER) and user.region_id:
        return Q(**{region_field: user.region_id})
    return NOTHING


def can_read_reflection(user, *, auditor_id, practitioner_id, region_ids) -> bool:
    """The practitioner's reflective response is for the auditor, the practitioner, the service
    managers of the audit's region and quality admins; not for other auditors or regions."""
    if not _active(user):
        return False
    if is_admin(user) or user.pk in (auditor_id, practitioner_id):
        return True
    return user.has_role(Role.SERVICE_MANAGER) and user.region_id is not None and user.region_id in region_ids


def sees_plan_actions_overdue(user) -> bool:
    """Board members (and the national roles) are chased for improvement-plan actions past due."""
    return _active(user) and (
        user.is_superuser or user.has_role(Role.BOARD_MEMBER, Role.ASSISTANT_DIRECTOR, Role.QUALITY_ADMIN)
    )


# ---- audit programmes ------------------------------------------------------------------------


def can_manage_programmes(user) -> bool:
    """Define, preview and confirm thematic audit programmes: quality admins."""
    return is_admin(user)


def can_see_programmes(user) -> bool:
    """A programme's progress and results (aggregates and auditors' names, no case records):
    quality admins and the people who read the dashboards."""
    return is_admin(user) or can_see_dashboards(user)


# ---- calibration sessions ---------------------------------------------------------------------


def can_manage_calibration(user) -> bool:
    """Set up calibration sessions: quality admins."""
    return is_admin(user)


def calibration_q(user) -> Q:
    """A Q over CalibrationSession: quality admins all; everyone else (auditors, external and
    volunteer moderators) only the sessions they take part in or facilitate."""
    if not _active(user):
        return NOTHING
    if is_admin(user):
        return Q()
    return Q(participants__auditor_id=user.pk) | Q(facilitator_id=user.pk)


CALIBRATION_ROLES = (Role.AUDITOR, Role.EXTERNAL_MODERATOR, Role.QUALITY_ADMIN)


def takes_part_in_calibration(user) -> bool:
    """Grade shared case files blind in calibration sessions: auditors, external and volunteer
    moderators, and quality admins (who set the sessions up)."""
    return _active(user) and (user.is_superuser or user.has_role(*CALIBRATION_ROLES))


def can_see_calibration_lists(user) -> bool:
    """The yearly list of sessions per region (counts, no case records)."""
    return is_admin(user) or can_see_dashboards(user)
