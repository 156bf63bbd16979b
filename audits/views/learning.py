"""One learning action's page (/audits/<id>/actions/<action>/): the practitioner marks it done with a
note; the region's service manager signs it off or returns it with a reason; everyone who may see
the audit reads its history. Also the follow-up request on a completed audit."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from audits.models import LearningAction, LearningActionStatus
from audits.selectors import ACTION_HISTORY_FIELDS, _entries, get_audit_for
from audits.services.learning import (
    NOTE_MAX_LENGTH,
    audit_request_follow_up,
    learning_action_mark_done,
    learning_action_return,
    learning_action_sign_off,
)
from audits.services.responses import is_audited_practitioner
from organisation import visibility


def _note_field(required: str):
    return forms.CharField(
        max_length=NOTE_MAX_LENGTH,
        error_messages={"required": required, "max_length": f"Keep this to {NOTE_MAX_LENGTH:,} characters or fewer."},
    )


class DoneForm(forms.Form):
    done_note = _note_field("Say what you did and what changed in your practice.")


class ReturnForm(forms.Form):
    return_reason = _note_field("Say why you are returning it and what the practitioner should do.")


# The decisions that carry a note: (its form, the form's field, the service recording it, the success message).
NOTE_DECISIONS = {
    "done": (
        DoneForm,
        "done_note",
        lambda action, by, text: learning_action_mark_done(action=action, by=by, note=text),
        "Learning action marked done. Your service manager will check it and sign it off.",
    ),
    "return": (
        ReturnForm,
        "return_reason",
        lambda action, by, text: learning_action_return(action=action, by=by, reason=text),
        "Learning action returned to the practitioner with your reason.",
    ),
}


def _history(action):
    records = (
        LearningAction.history.filter(id=action.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    entries = _entries(records, ACTION_HISTORY_FIELDS, lambda r: "Learning action")
    entries.reverse()
    return entries


def _act(request, action, decision):
    """Run the decision posted; (form with errors or None, success message or None)."""
    if decision in NOTE_DECISIONS:
        form_class, field, record, success = NOTE_DECISIONS[decision]
        form = form_class(request.POST)
        if not form.is_valid():
            return form, None
        record(action, request.user, form.cleaned_data[field])
        return None, success
    if decision == "sign_off":
        learning_action_sign_off(action=action, by=request.user)
        return None, "Learning action signed off."
    raise ValidationError("Choose what to do with this learning action.")


@require_http_methods(["GET", "POST"])
def learning_action_page(request, pk, action_id):
    audit = get_audit_for(request.user, pk)  # 404 unless the person may see the audit
    action = get_object_or_404(LearningAction.objects.select_related("signed_off_by"), pk=action_id, audit_id=audit.pk)
    action.audit = audit
    user = request.user
    is_practitioner = is_audited_practitioner(audit=audit, user=user)
    is_manager = visibility.can_sign_off_learning(user, audit.region_id)
    done_form, return_form, status, errors = DoneForm(), ReturnForm(), 200, []
    if request.method == "POST":
        decision = request.POST.get("decision", "")
        if decision == "done" and not is_practitioner or decision in ("sign_off", "return") and not is_manager:
            raise PermissionDenied
        try:
            form, success = _act(request, action, decision)
        except ValidationError as error:
            form, success = None, None
            errors = error.messages
        if success:
            messages.success(request, success)
            return redirect("audits:action", pk=audit.pk, action_id=action.pk)
        if form is not None:
            done_form, return_form = (form, return_form) if decision == "done" else (done_form, form)
        status = 400
    context = {
        "audit": audit,
        "action": action,
        "may_mark_done": is_practitioner and action.status == LearningActionStatus.OPEN,
        "may_decide": is_manager and action.status == LearningActionStatus.DONE,
        "done_form": done_form,
        "return_form": return_form,
        "error_links": [
            *[("#action-summary", e) for e in errors],
            *[("#id_done_note", e) for e in done_form["done_note"].errors],
            *[("#id_return_reason", e) for e in return_form["return_reason"].errors],
        ],
        "history": _history(action),
        "today": timezone.localdate(),
    }
    return render(request, "audits/learning_action.html", context, status=status)


@require_POST
def audit_follow_up(request, pk):
    audit = get_audit_for(request.user, pk)
    try:
        follow_up = audit_request_follow_up(audit=audit, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("audits:detail", pk=audit.pk)
    if follow_up is not None:
        messages.success(
            request, f"Follow-up audit of case {follow_up.case.reference} scheduled for {follow_up.auditor}."
        )
    else:
        messages.success(
            request, "A follow-up audit will be scheduled once every learning action of this audit is signed off."
        )
    return redirect("audits:detail", pk=audit.pk)
