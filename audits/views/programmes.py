"""Thematic audit programmes: the list, define one, preview and confirm the draw, progress and results, CSV.

Quality admins define and confirm; the people who read the dashboards may follow progress
and results. Every view checks through organisation.visibility; bad input re-renders the
form with a GOV.UK error summary, and nothing is half-saved (services run in transactions).
"""

import csv

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from audits.forms_programmes import ProgrammeForm
from audits.models import Programme
from audits.programme_figures import compare, programme_progress, programme_results
from audits.services.programmes import FILTER_KEYS, programme_confirm, programme_create, programme_draw
from audits.views.grading import _add_service_errors
from organisation import visibility


def _get_programme(user, pk) -> Programme:
    visibility.require(visibility.can_see_programmes(user))
    programme = (
        Programme.objects.select_related("template", "reaudit_of", "reaudit_of__template")
        .prefetch_related("regions")
        .filter(pk=pk)
        .first()
    )
    if programme is None:
        raise Http404("No such programme")
    return programme


def _filters_text(programme: Programme) -> list[str]:
    return [f"{key.replace('_', ' ')}: {value}" for key, value in programme.filters.items() if key in FILTER_KEYS]


@require_GET
def programme_list(request):
    user = request.user
    visibility.require(visibility.can_see_programmes(user))
    programmes = Programme.objects.select_related("template").annotate(n=Count("audits")).order_by("-created_at")
    return render(
        request,
        "audits/programmes/list.html",
        {"programmes": programmes, "can_manage": visibility.can_manage_programmes(user)},
    )


@require_http_methods(["GET", "POST"])
def programme_new(request):
    user = request.user
    visibility.require(visibility.can_manage_programmes(user))
    form = ProgrammeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = form.programme_fields()
        try:
            programme = programme_create(by=user, regions=form.cleaned_data["regions"], **fields)
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            return redirect("programmes:preview", pk=programme.pk)
    return render(request, "audits/programmes/new.html", {"form": form})


@require_http_methods(["GET", "POST"])
def programme_preview(request, pk):
    user = request.user
    visibility.require(visibility.can_manage_programmes(user))
    programme = _get_programme(user, pk)
    if programme.is_confirmed:
        return redirect("programmes:detail", pk=programme.pk)
    error = None
    if request.method == "POST":
        try:
            _draw, created = programme_confirm(
                programme=programme, by=user, fingerprint=(request.POST.get("fingerprint") or "")[:64]
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, f"{len(created)} audits created for “{programme.name}”.")
            return redirect("programmes:detail", pk=programme.pk)
    draw = programme_draw(programme=programme)
    context = {"programme": programme, "draw": draw, "filters": _filters_text(programme), "error": error}
    return render(request, "audits/programmes/preview.html", context, status=409 if error else 200)


@require_GET
def programme_detail(request, pk):
    programme = _get_programme(request.user, pk)
    total, by_region, by_auditor = programme_progress(programme)
    results = programme_results(programme)
    comparison = None
    if programme.reaudit_of_id:
        comparison = compare(programme_results(programme.reaudit_of), results)
    context = {
        "programme": programme,
        "filters": _filters_text(programme),
        "total": total,
        "by_region": by_region,
        "by_auditor": by_auditor,
        "results": results,
        "comparison": comparison,
        "can_manage": visibility.can_manage_programmes(request.user),
    }
    return render(request, "audits/programmes/detail.html", context)


def _csv_safe(value):
    """Text a spreadsheet would run as a formula (= + - @ at the start) is quoted; numbers are left alone."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _num(value, places=1):
    return "" if value is None else round(value, places)


@require_GET
def programme_csv(request, pk):
    programme = _get_programme(request.user, pk)
    results = programme_results(programme)
    earlier = programme_results(programme.reaudit_of) if programme.reaudit_of_id else None
    changes = {c.now.key: c for c in compare(earlier, results)} if earlier else {}
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="programme-{programme.pk}-results.csv"'
    writer = csv.writer(response)
    header = ["figure", "numerator", "denominator", "percent", "ci95_low", "ci95_high"]
    if earlier:
        header += ["earlier_numerator", "earlier_denominator", "earlier_percent", "change_points", "p_value"]
    writer.writerow(header)
    for p in results.figures():
        ci = p.ci or (None, None)
        row = [p.label, p.k, p.n, _num(p.pct), _num(ci[0]), _num(ci[1])]
        if earlier:
            c = changes[p.key]
            e = c.earlier
            row += [e.k if e else "", e.n if e else "", _num(e.pct) if e else "", _num(c.change), _num(c.p_value, 4)]
        writer.writerow([_csv_safe(v) for v in row])
    for text, n in results.capped:
        writer.writerow([_csv_safe(f"Capped the overall grade: {text}"), n, results.audits, "", "", ""])
    return response
