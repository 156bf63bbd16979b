"""Plan pages: the list, the plan as the board reads it, editors' forms, history, CSV in and out."""

import csv
import io

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from dashboards.selectors import KPIS, computed_at
from organisation import visibility
from organisation.access_log import Kind, record_view

from . import forms, rag, selectors, services
from .history import plan_changes
from .importing import COLUMNS, OPTIONAL_COLUMNS, actions_export, actions_import
from .models import Action, Objective, SuccessMeasure


def _read_only(request):
    """Read pages answer GET; any other method is refused (403 for readers who may not edit)."""
    if request.method not in ("GET", "HEAD"):
        visibility.require(visibility.can_edit_plans(request.user))
        return HttpResponseNotAllowed(["GET"])
    return None


def plan_list(request):
    visibility.require(visibility.can_read_plans(request.user))
    if refused := _read_only(request):
        return refused
    today = timezone.localdate()
    plans = selectors.plans_for_list(request.user, today=today)
    return render(
        request,
        "improvement_plans/plan_list.html",
        {"plans": plans, "can_edit": visibility.can_edit_plans(request.user), "today": today},
    )


def plan_detail(request, pk):
    plan = selectors.get_plan_for(request.user, pk)
    if refused := _read_only(request):
        return refused
    today = timezone.localdate()
    page = selectors.plan_for_page(plan, today=today, user=request.user)
    charts = [
        {
            "id": f"measure-chart-{m.pk}",
            "label": m.figures.label,
            "unit": m.kpi_unit,
            "months": [mo.strftime("%b %Y") for mo, _ in m.figures.trend],
            "values": [None if v.value is None else round(v.value, 1) for _, v in m.figures.trend],
            "target": float(m.target),
            "baseline": float(m.baseline),
        }
        for m in page["measures"]
        if m.figures
    ]
    return render(
        request,
        "improvement_plans/plan_detail.html",
        {
            "plan": plan,
            **page,
            "charts": charts,
            "kpis": KPIS,
            "figures_as_of": computed_at(),
            "today": today,
            "can_edit": visibility.can_edit_plans(request.user),
            "action_rules": rag.ACTION_RULES,
            "measure_rules": rag.MEASURE_RULES,
            "manual_rule": rag.MANUAL_RULE,
        },
    )


def plan_history(request, pk):
    plan = selectors.get_plan_for(request.user, pk, write=True)
    if refused := _read_only(request):
        return refused
    return render(request, "improvement_plans/plan_history.html", {"plan": plan, "changes": plan_changes(plan)})


# ---- editors' forms ----------------------------------------------------------------------


def _form_page(request, form_class, *, title, plan=None, instance=None, done_url=None, **form_kwargs):
    """GET shows the form; a valid POST saves it in one transaction; an invalid one shows GOV.UK errors."""
    data = request.POST if request.method == "POST" else None
    form = form_class(data, instance=instance, **form_kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                saved = form.save()
        except IntegrityError:
            # Two editors (or a double click) saving the same reference at once: the form's own
            # checks passed for both, the database's unique constraint stopped the second.
            form.add_error(None, "Someone saved a change here at the same moment: check the plan and try again")
        else:
            messages.success(request, f"{title}: saved")
            return redirect(done_url or saved.get_absolute_url())
    return render(
        request,
        "improvement_plans/form.html",
        {"form": form, "title": title, "plan": plan, "back_url": plan.get_absolute_url() if plan else "/plans/"},
        status=400 if request.method == "POST" else 200,
    )


def plan_create(request):
    visibility.require(visibility.can_edit_plans(request.user))
    return _form_page(request, forms.PlanForm, title="New improvement plan")


def plan_edit(request, pk):
    plan = selectors.get_plan_for(request.user, pk, write=True)
    return _form_page(request, forms.PlanForm, title="Edit plan", plan=plan, instance=plan)


def _part_page(request, plan, form_class, title, **kwargs):
    """The form for a part of a plan (objective, action, success measure); back to the plan once saved."""
    return _form_page(request, form_class, title=title, plan=plan, done_url=plan.get_absolute_url(), **kwargs)


def objective_create(request, pk):
    plan = selectors.get_plan_for(request.user, pk, write=True)
    return _part_page(request, plan, forms.ObjectiveForm, "Add an objective", for_plan=plan)


def objective_edit(request, pk, objective_id):
    plan = selectors.get_plan_for(request.user, pk, write=True)
    objective = get_object_or_404(Objective, pk=objective_id, plan=plan)
    title = f"Edit objective {objective.ref}"
    return _part_page(request, plan, forms.ObjectiveForm, title, instance=objective, for_plan=plan)


def action_create(request, pk, objective_id):
    plan = selectors.get_plan_for(request.user, pk, write=True)
    objective = get_object_or_404(Objective, pk=objective_id, plan=plan)
    title = f"Add an action to objective {objective.ref}"
    return _part_page(request, plan, forms.ActionForm, title, objective=objective)


def action_edit(request, pk, action_id):
    plan = selectors.get_plan_for(request.user, pk, write=True)
    action = get_object_or_404(Action.objects.select_related("objective"), pk=action_id, objective__plan=plan)
    title = f"Edit action {action.ref}"
    return _part_page(request, plan, forms.ActionForm, title, instance=action, objective=action.objective)


def measure_create(request, pk):
    plan = selectors.get_plan_for(request.user, pk, write=True)
    return _part_page(request, plan, forms.MeasureForm, "Add a success measure", for_plan=plan)


def measure_edit(request, pk, measure_id):
    plan = selectors.get_plan_for(request.user, pk, write=True)
    measure = get_object_or_404(SuccessMeasure, pk=measure_id, plan=plan)
    return _part_page(request, plan, forms.MeasureForm, "Edit success measure", instance=measure, for_plan=plan)


def _update_page(request, plan, *, action=None, measure=None):
    subject = f"action {action.ref}" if action else "success measure"
    data = request.POST if request.method == "POST" else None
    form = forms.ProgressUpdateForm(data, action=action, measure=measure, author=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.progress_update_add(
            author=request.user,
            action=action,
            measure=measure,
            on=data["on"],
            narrative=data["narrative"],
            rag=data["rag"],
            rag_reason=data["rag_reason"],
            evidence_url=data["evidence_url"],
        )
        messages.success(request, f"Progress on {subject} recorded")
        return redirect(plan.get_absolute_url())
    return render(
        request,
        "improvement_plans/form.html",
        {
            "form": form,
            "title": f"Add a progress update on {subject}",
            "subject": action.how if action else measure.description,
            "plan": plan,
            "back_url": plan.get_absolute_url(),
        },
        status=400 if request.method == "POST" else 200,
    )


def action_update_add(request, pk, action_id):
    plan = selectors.get_plan_for(request.user, pk, write=True)
    action = get_object_or_404(Action, pk=action_id, objective__plan=plan)
    return _update_page(request, plan, action=action)


def measure_update_add(request, pk, measure_id):
    plan = selectors.get_plan_for(request.user, pk, write=True)
    measure = get_object_or_404(SuccessMeasure, pk=measure_id, plan=plan)
    return _update_page(request, plan, measure=measure)


# ---- CSV ---------------------------------------------------------------------------------


def actions_csv(request, pk):
    plan = selectors.get_plan_for(request.user, pk, write=True)
    if refused := _read_only(request):
        return refused
    response = HttpResponse(actions_export(plan=plan, today=timezone.localdate()), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="plan-{plan.pk}-actions.csv"'
    record_view(request, Kind.EXPORT, object_id=f"plan-{plan.pk}-actions.csv")
    return response


def _lines(text: str) -> list[dict]:
    """The file's lines for the preview table, by column."""
    return list(csv.DictReader(io.StringIO(text)))


def actions_upload(request, pk):
    """Upload, then preview what would change, then confirm; the CSV text rides in a hidden field."""
    plan = selectors.get_plan_for(request.user, pk, write=True)
    today = timezone.localdate()
    context = {"plan": plan, "columns": COLUMNS, "optional_columns": OPTIONAL_COLUMNS}
    if request.method == "POST" and "confirm" in request.POST:
        report = actions_import(plan=plan, text=request.POST.get("csv_text", ""), today=today, dry_run=False)
        if report.ok:
            messages.success(request, f"Imported {report.new} new and {report.updated} changed actions")
            return redirect(plan.get_absolute_url())
        form = forms.ActionsUploadForm()
        return render(request, "improvement_plans/import.html", {**context, "form": form, "report": report}, status=400)
    posted = request.method == "POST"
    form = forms.ActionsUploadForm(request.POST if posted else None, request.FILES if posted else None)
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "improvement_plans/import.html", {**context, "form": form}, status=400)
        text = form.cleaned_data["file"]
        report = actions_import(plan=plan, text=text, today=today, dry_run=True)
        status = 200 if report.ok else 400
        return render(
            request,
            "improvement_plans/import.html",
            {**context, "form": forms.ActionsUploadForm(), "report": report, "csv_text": text, "rows": _lines(text)},
            status=status,
        )
    return render(request, "improvement_plans/import.html", {**context, "form": form})
