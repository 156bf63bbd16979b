"""Calibration sessions: the yearly list, set one up, grade blind, see the spread, record the agreed grade.

Sessions load through organisation.visibility.calibration_q: anyone not taking part (and not
a quality admin) gets a 404, external and volunteer moderators included.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from audits.calibration_figures import session_figures, yearly_list
from audits.forms_calibration import AgreedGradeForm, CalibrationCreateForm, CalibrationGradeForm
from audits.models import CalibrationParticipant, CalibrationSession, Criterion
from audits.selectors import Row
from audits.services.calibration import (
    SESSIONS_A_YEAR,
    calibration_agree,
    calibration_close,
    calibration_create,
    calibration_grade,
    is_revealed,
)
from audits.services.grading import applicable_criteria
from audits.views.grading import _add_service_errors
from cases.models import Case
from organisation import visibility


def _get_session(user, pk) -> CalibrationSession:
    session = (
        CalibrationSession.objects.filter(visibility.calibration_q(user))
        .select_related("case", "case__region", "template", "facilitator", "region")
        .filter(pk=pk)
        .distinct()
        .first()
    )
    if session is None:
        raise Http404("No such calibration session")
    return session


@require_http_methods(["GET"])
def calibration_list(request):
    user = request.user
    sees_lists = visibility.can_see_calibration_lists(user)
    mine = list(
        CalibrationSession.objects.filter(visibility.calibration_q(user))
        .select_related("case", "region")
        .distinct()
        .order_by("-held_on")[:50]
    )
    if not sees_lists and not mine:
        raise PermissionDenied
    raw_year = (request.GET.get("year") or "").strip()
    year = timezone.localdate().year
    error = None
    if raw_year:
        if raw_year.isdigit() and 2000 <= int(raw_year) <= 2100:
            year = int(raw_year)
        else:
            error = "Enter a year like 2026"
    context = {
        "sessions": mine,
        "year": year,
        "year_error": error,
        "regions": yearly_list(year, visibility.visible_regions(user).order_by("name")) if sees_lists else None,
        "target": SESSIONS_A_YEAR,
        "can_manage": visibility.can_manage_calibration(user),
    }
    return render(request, "audits/calibration/list.html", context, status=400 if error else 200)


@require_http_methods(["GET", "POST"])
def calibration_new(request):
    user = request.user
    visibility.require(visibility.can_manage_calibration(user))
    form = CalibrationCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        case = Case.objects.filter(reference=form.cleaned_data["case_reference"]).first()
        if case is None:
            form.add_error("case_reference", "There is no case with this reference")
        else:
            try:
                session = calibration_create(
                    case=case,
                    template=form.cleaned_data["template"],
                    auditors=list(form.cleaned_data["auditors"]),
                    held_on=form.cleaned_data["held_on"],
                    by=user,
                )
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                messages.success(request, "Calibration session set up. Each auditor can now grade the case file.")
                return redirect("audits:calibration", pk=session.pk)
    return render(request, "audits/calibration/new.html", {"form": form})


@require_http_methods(["GET", "POST"])
def calibration_detail(request, pk):
    user = request.user
    session = _get_session(user, pk)
    participants = list(CalibrationParticipant.objects.filter(session=session).select_related("auditor"))
    me = next((p for p in participants if p.auditor_id == user.pk), None)
    revealed = is_revealed(session, participants)
    is_facilitator = session.facilitator_id == user.pk
    form = None
    if is_facilitator and revealed:
        form = AgreedGradeForm(
            request.POST or None, initial={"grade": session.agreed_grade and str(session.agreed_grade)}
        )
        if request.method == "POST" and form.is_valid():
            try:
                calibration_agree(
                    session=session, by=user, grade=form.cleaned_data["grade"], notes=form.cleaned_data["notes"]
                )
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                messages.success(request, "Agreed grade recorded.")
                return redirect("audits:calibration", pk=session.pk)
    elif request.method == "POST":
        raise PermissionDenied("Only the facilitator records the agreed grade, once the grades are revealed.")
    context = {
        "session": session,
        "participants": participants,
        "me": me,
        "revealed": revealed,
        "is_facilitator": is_facilitator,
        "figures": session_figures(session, participants) if revealed else None,
        "form": form,
    }
    return render(request, "audits/calibration/detail.html", context)


@require_POST
def calibration_close_view(request, pk):
    session = _get_session(request.user, pk)
    try:
        calibration_close(session=session, by=request.user)
    except ValidationError as error:
        raise PermissionDenied(" ".join(error.messages)) from None
    messages.success(request, "Session closed: everyone can now see the grades.")
    return redirect("audits:calibration", pk=session.pk)


@require_http_methods(["GET", "POST"])
def calibration_grade_view(request, pk):
    user = request.user
    session = _get_session(user, pk)
    me = CalibrationParticipant.objects.filter(session=session, auditor_id=user.pk).first()
    if me is None:
        raise PermissionDenied("Only the auditors of this session grade it.")
    if me.submitted_at or session.closed_at:
        messages.info(request, "Your grades for this session are in.")
        return redirect("audits:calibration", pk=session.pk)
    rows = [
        Row(criterion=c, judgement=None)
        for c in applicable_criteria(Criterion.objects.filter(template_id=session.template_id), session.case.law_type)
    ]
    form = CalibrationGradeForm(request.POST or None, rows=rows, initial={"version": 1})
    if request.method == "POST" and form.is_valid():
        try:
            calibration_grade(
                session=session,
                by=user,
                judgements=form.judgement_inputs(),
                overall_grade=form.cleaned_data["overall_grade"],
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, "Your grades are in. You will see everyone's once all have graded.")
            return redirect("audits:calibration", pk=session.pk)
    return render(request, "audits/calibration/grade.html", {"session": session, "form": form})
