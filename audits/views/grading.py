"""Grading an audit: the audit page, one section at a time (with autosave), check answers, submit, confirmation.

Views are thin: they load through `get_audit_for` (404 when not visible, 403 when not the
allocated auditor), validate with a form, and call a service. Bad input re-renders the
page with a GOV.UK error summary; nothing is half-saved because every service runs in a
transaction.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from audits.forms import AuditCreateForm, LearningActionForm, ModerationForm, SectionForm, SubmitForm
from audits.models import GRADING_STATUSES, AuditStatus, Grade, StaleAudit
from audits.selectors import (
    audit_history,
    audit_learning_actions,
    audit_sheet,
    can_see_history,
    get_audit_for,
    moderation_comparison,
)
from audits.services import (
    audit_create,
    audit_save_section,
    audit_submit,
    learning_action_add,
    moderation_record,
)
from audits.services.learning import may_request_follow_up
from cases.models import Case
from organisation import visibility
from organisation.access_log import Kind, record_view


def _add_service_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on its field where the form has one."""
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


def _call_service(form, service, *, locked: bool = False, **kwargs):
    """Run a write service for a valid form: (its result, None) when it succeeds; (None, None) when
    it refuses the input, its messages then on the form (so `form.errors` tells success apart).
    With `locked` (a save checked against the audit's version) a refusal by the lock is returned
    as (None, the conflict), for the page to answer 409; otherwise it propagates."""
    conflicts = (StaleAudit,) if locked else ()
    try:
        return service(**kwargs), None
    except conflicts as error:
        return None, error
    except ValidationError as error:
        _add_service_errors(form, error)
        return None, None


def _record_audit_view(request, audit) -> None:
    """Each page that shows an audit's grades or evidence goes in the access log (one INSERT)."""
    record_view(request, Kind.AUDIT, object_id=audit.pk, case_reference=audit.case.reference)


@require_http_methods(["GET"])
def audit_detail(request, pk):
    audit = get_audit_for(request.user, pk)
    user = request.user
    sheet = audit_sheet(audit)
    is_auditor = audit.auditor_id == user.pk
    history_allowed = can_see_history(user, audit)
    moderation = getattr(audit, "moderation", None)
    # A moderator grades blind: no sight of the auditor's grades until their own is in.
    blind = moderation is not None and moderation.moderator_id == user.pk and moderation.completed_at is None
    # Practitioners and other auditors read the answers once the audit is complete; the
    # auditor and the managers who oversee the work can follow a draft.
    show_answers = not blind and (is_auditor or history_allowed or audit.status == AuditStatus.COMPLETED)
    region_ids = {audit.region_id, audit.case.region_id} - {None}
    reflection = visibility.can_read_reflection(
        user,
        auditor_id=audit.auditor_id,
        practitioner_id=audit.practitioner_id or audit.case.practitioner_id,
        region_ids=region_ids,
    )
    # Once a moderation is complete the auditor, the moderator and those who oversee the work see
    # both gradings side by side, question by question, with both notes.
    comparison = None
    sees_both = is_auditor or history_allowed or (moderation is not None and moderation.moderator_id == user.pk)
    if moderation is not None and moderation.completed_at and sees_both:
        comparison = moderation_comparison(sheet, moderation)
    context = {
        "audit": audit,
        "sheet": sheet,
        "is_auditor": is_auditor,
        "can_grade": is_auditor and audit.status in GRADING_STATUSES,
        "can_moderate": blind,
        "show_answers": show_answers,
        "learning_actions": audit_learning_actions(audit) if show_answers else [],
        "history": audit_history(audit, sheet) if history_allowed else None,
        "show_reflection": reflection and audit.status == AuditStatus.COMPLETED,
        "moderation": moderation if comparison is not None else None,
        "comparison": comparison,
        "may_ask_follow_up": may_request_follow_up(audit=audit, user=user),
        "today": timezone.localdate(),
    }
    _record_audit_view(request, audit)
    return render(request, "audits/detail.html", context)


def _save_section(form, audit, by):
    """A valid section form's answers saved through the version lock (the page and its autosave)."""
    return _call_service(
        form,
        audit_save_section,
        locked=True,
        audit=audit,
        by=by,
        judgements=form.judgement_inputs(),
        expected_version=form.cleaned_data["version"],
    )


@require_http_methods(["GET", "POST"])
def audit_section(request, pk, n):
    audit = get_audit_for(request.user, pk, write=True)
    if audit.status not in GRADING_STATUSES:
        messages.info(request, f"This audit is {audit.get_status_display().lower()}: its answers can no longer change.")
        return redirect("audits:detail", pk=audit.pk)
    sheet = audit_sheet(audit)
    section = sheet.section(n)
    if section is None:
        raise Http404("No such section")
    conflict = None
    status = 200
    if request.method == "POST":
        later = request.POST.get("action") == "later"
        form = SectionForm(request.POST, rows=section.rows, require_all=not later)
        if form.is_valid():
            _, conflict = _save_section(form, audit, request.user)
            if conflict:
                status = 409
            elif not form.errors:
                if later:
                    messages.success(request, "Your answers have been saved. You can come back to this audit later.")
                    return redirect("audits:detail", pk=audit.pk)
                if n < len(sheet.sections):
                    return redirect("audits:section", pk=audit.pk, n=n + 1)
                return redirect("audits:check", pk=audit.pk)
    else:
        form = SectionForm(rows=section.rows, initial={"version": audit.version})
    context = {
        "audit": audit,
        "sheet": sheet,
        "section": section,
        "form": form,
        "conflict": conflict,
        "previous_url": reverse("audits:section", args=[audit.pk, n - 1]) if n > 1 else None,
    }
    _record_audit_view(request, audit)
    return render(request, "audits/section.html", context, status=status)


@require_POST
def audit_section_autosave(request, pk, n):
    """htmx autosave of one section: a draft, as "Save and come back later", answered with a status line.

    The section page's form posts here when a grade changes or typing pauses (hx-trigger in
    section.html); without JavaScript the page's own buttons make the same saves. A saved
    draft's answer also swaps the new version into the form's hidden field (hx-swap-oob), so
    the next autosave or the real submit is not refused as a conflict with this one. A
    conflict (409) or bad input (422) writes nothing and says so in the status line.
    """
    audit = get_audit_for(request.user, pk, write=True)
    if request.headers.get("HX-Request") != "true":
        return HttpResponseBadRequest("Autosave answers the grading page's script; use the page's buttons to save.")
    section_url = reverse("audits:section", args=[audit.pk, n])
    context = {"audit": audit, "section_url": section_url, "closed": None, "conflict": None, "form": None}
    if audit.status not in GRADING_STATUSES:
        context["closed"] = f"This audit is {audit.get_status_display().lower()}: its answers can no longer change."
        return render(request, "audits/_autosave_status.html", context, status=409)
    section = audit_sheet(audit).section(n)
    if section is None:
        raise Http404("No such section")
    form = SectionForm(request.POST, rows=section.rows, require_all=False)
    status = 200
    if form.is_valid():
        _, context["conflict"] = _save_section(form, audit, request.user)
        if context["conflict"]:
            status = 409
    if form.errors:
        status = 422
    context["form"] = form
    return render(request, "audits/_autosave_status.html", context, status=status)


@require_http_methods(["GET", "POST"])
def audit_check(request, pk):
    audit = get_audit_for(request.user, pk, write=True)
    if audit.status == AuditStatus.COMPLETED:
        return redirect("audits:confirmation", pk=audit.pk)
    if audit.status not in GRADING_STATUSES:
        return redirect("audits:detail", pk=audit.pk)
    sheet = audit_sheet(audit)
    suggested = sheet.suggestion.grade
    ceiling = Grade.REQUIRES_IMPROVEMENT if sheet.suggestion.capped_by else None
    conflict = None
    status = 200
    if request.method == "POST":
        form = SubmitForm(request.POST, suggested=suggested, ceiling=ceiling)
        if form.is_valid():
            _, conflict = _call_service(
                form,
                audit_submit,
                locked=True,
                audit=audit,
                by=request.user,
                overall_grade=form.cleaned_data["overall_grade"],
                rationale=form.cleaned_data["rationale"],
                family_feedback=form.cleaned_data["family_feedback"],
                expected_version=form.cleaned_data["version"],
            )
            if conflict:
                status = 409
            elif not form.errors:
                return redirect("audits:confirmation", pk=audit.pk)
    else:
        initial = {"version": audit.version}
        # The templates ask "was family feedback obtained?" as a question: start from that answer.
        for section in sheet.sections:
            for row in section.rows:
                if row.criterion.code.endswith("family-feedback") and row.answered:
                    initial["family_feedback"] = "yes" if row.judgement.answer else "no"
        form = SubmitForm(suggested=suggested, ceiling=ceiling, initial=initial)
    context = {
        "audit": audit,
        "sheet": sheet,
        "form": form,
        "conflict": conflict,
        "learning_actions": audit_learning_actions(audit),
    }
    _record_audit_view(request, audit)
    return render(request, "audits/check.html", context, status=status)


@require_http_methods(["GET"])
def audit_confirmation(request, pk):
    audit = get_audit_for(request.user, pk, write=True)
    if audit.status != AuditStatus.COMPLETED:
        return redirect("audits:check", pk=audit.pk)
    return render(request, "audits/confirmation.html", {"audit": audit})


@require_http_methods(["GET", "POST"])
def learning_action_new(request, pk):
    audit = get_audit_for(request.user, pk, write=True)
    back = reverse("audits:check" if audit.status in GRADING_STATUSES else "audits:detail", args=[audit.pk])
    if audit.status == AuditStatus.CANCELLED:
        messages.info(request, "This audit was cancelled: it cannot have learning actions.")
        return redirect("audits:detail", pk=audit.pk)
    form = LearningActionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _call_service(
            form,
            learning_action_add,
            audit=audit,
            by=request.user,
            description=form.cleaned_data["description"],
            due_on=form.cleaned_data["due_on"],
        )
        if not form.errors:
            messages.success(request, "Learning action added.")
            return redirect(back)
    return render(request, "audits/learning_action_new.html", {"audit": audit, "form": form, "back": back})


@require_http_methods(["GET", "POST"])
def audit_new(request):
    """Create an audit of a case (service managers for their region, quality admins anywhere)."""
    user = request.user
    visibility.require(visibility.may_create_audit(user))
    # A NUL byte cannot reach PostgreSQL (psycopg refuses it): a reference never holds one.
    reference = (request.GET.get("case") or "").replace("\x00", "").strip()[:30]
    case = None
    if reference:
        case = visibility.visible_cases(user, Case.objects.for_list()).filter(reference=reference).first()
    if case is None:
        lookup_error = "Enter the reference of a case in your region" if reference else None
        if reference:
            lookup_error = f"There is no case “{reference}” that you can create an audit for"
        return render(
            request,
            "audits/new.html",
            {"case": None, "reference": reference, "lookup_error": lookup_error},
            status=404 if reference else 200,
        )
    form = AuditCreateForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        audit, _ = _call_service(
            form,
            audit_create,
            case=case,
            auditor=form.cleaned_data["auditor"],
            template=form.cleaned_data["template"],
            due_on=form.cleaned_data["due_on"],
            by=user,
        )
        if not form.errors:
            messages.success(request, f"Audit of {case.reference} created for {audit.auditor}.")
            return redirect("audits:detail", pk=audit.pk)
    return render(request, "audits/new.html", {"case": case, "reference": reference, "form": form})


@require_http_methods(["GET", "POST"])
def audit_moderate(request, pk):
    """The moderator's blind second grading: the evidence without the auditor's grades."""
    audit = get_audit_for(request.user, pk)
    moderation = getattr(audit, "moderation", None)
    if moderation is None or moderation.moderator_id != request.user.pk:
        raise PermissionDenied("Only the moderator this audit was given to may moderate it.")
    if moderation.completed_at is not None:
        messages.info(request, "You have already moderated this audit.")
        return redirect("audits:detail", pk=audit.pk)
    sheet = audit_sheet(audit)
    rows = [row for section in sheet.sections for row in section.rows]
    form = ModerationForm(request.POST or None, rows=rows)
    if request.method == "POST" and form.is_valid():
        _call_service(
            form,
            moderation_record,
            moderation=moderation,
            by=request.user,
            grade=form.cleaned_data["grade"],
            notes=form.cleaned_data["notes"],
            judgements=form.judgement_inputs(),
        )
        if not form.errors:
            messages.success(request, f"Moderation recorded: {moderation.get_grade_display()} is now the final grade.")
            return redirect("audits:detail", pk=audit.pk)
    _record_audit_view(request, audit)
    return render(request, "audits/moderate.html", {"audit": audit, "sheet": sheet, "form": form})
