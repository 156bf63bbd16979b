"""The caseload pages: /cases/ (filter, sort, page, export) and /cases/<reference>/."""

from django import forms
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from organisation import visibility
from organisation.access_log import Kind, record_view
from organisation.calendar import working_days_between
from organisation.middleware import allow_long_statements, extend_statement_timeout
from organisation.paging import BoundedPaginator

from .filters import CaseFilter
from .imports import CaseResource
from .sections import sections_for
from .selectors import cases_for_list, get_case_for, require_case_export

PAGE_SIZE = 50
EXPORT_FIELDS = [
    "reference",
    "region__code",
    "team__code",
    "law_type",
    "application_type",
    "practitioner__username",
    "received_on",
    "allocated_on",
    "report_due_on",
    "report_filed_on",
    "closed_on",
]

# (sort key, heading) for the table's sortable columns, in display order.
COLUMNS = [
    ("reference", "Reference"),
    ("region", "Region"),
    ("team", "Team"),
    ("practitioner", "Practitioner"),
    ("law_type", "Law type"),
    ("application_type", "Application type"),
    ("status", "Status"),
    ("grade", "Last audit grade"),
]


def _filtered(request) -> CaseFilter:
    return CaseFilter(request.GET or None, queryset=cases_for_list(request.user), request=request)


def _headings(current: str) -> list[dict]:
    """Each column's sort link: ascending first, descending when already ascending."""
    headings = []
    for key, label in COLUMNS:
        if current == key:
            sort, aria = f"-{key}", "ascending"
        elif current == f"-{key}":
            sort, aria = key, "descending"
        else:
            sort, aria = key, "none"
        headings.append({"key": key, "label": label, "sort": sort, "aria_sort": aria})
    return headings


def _govuk_widgets(form) -> None:
    """GOV.UK classes on the filter widgets, with the error styles where a value was bad."""
    for name, field in form.fields.items():
        base = "govuk-select" if isinstance(field.widget, forms.Select) else "govuk-input"
        field.widget.attrs["class"] = f"{base} {base}--error" if name in form.errors else base
        if name in form.errors:
            field.widget.attrs["aria-describedby"] = f"id_{name}-error"


def case_list(request):
    """Queries whatever the number of cases: a count and a page of rows, plus the filter
    options (regions, teams, practitioners) and, when given, a lookup per chosen option."""
    user = request.user
    visibility.require(visibility.can_see_cases(user))
    if request.GET.get("format") == "csv":
        extend_statement_timeout()
        return case_export(request)
    filterset = _filtered(request)
    form = filterset.form
    form.is_valid()  # bad values become GOV.UK errors; the list ignores them
    _govuk_widgets(form)
    # Counts stop at 10,000 cases ("more than 10,000"): a national count would read every case.
    paginator = BoundedPaginator(filterset.qs, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    current_sort = (form.cleaned_data.get("sort") or [""])[0] if hasattr(form, "cleaned_data") else ""
    querystring = request.GET.copy()
    querystring.pop("page", None)
    return render(
        request,
        "cases/list.html",
        {
            "filter": filterset,
            "form": form,
            "page": page,
            "headings": _headings(current_sort),
            "can_export": visibility.is_admin(user),
            "export_query": querystring.urlencode(),
            "error_links": [
                (f"#id_{name}", f"{form.fields[name].label}: {' '.join(errors)}")
                for name, errors in form.errors.items()
                if name in form.fields
            ],
        },
    )


@allow_long_statements
def case_export(request):
    """The filtered list as CSV in the import columns (import-export's export of CaseResource)."""
    user = request.user
    visibility.require(visibility.can_see_cases(user))
    require_case_export(user)
    filterset = _filtered(request)
    if filterset.is_bound and not filterset.form.is_valid():
        # A bad filter would otherwise be dropped and the download hold more than was
        # asked for: show the list with the filter's error instead.
        querystring = request.GET.copy()
        querystring.pop("format", None)
        return redirect(f"{reverse('cases:list')}?{querystring.urlencode()}")
    # Only the columns the export writes: a national download builds thousands of rows.
    queryset = filterset.qs.only(*EXPORT_FIELDS)
    dataset = CaseResource().export(queryset=queryset)
    response = HttpResponse(dataset.csv, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="cases-{timezone.localdate():%Y-%m-%d}.csv"'
    record_view(request, Kind.EXPORT, object_id="cases.csv")
    return response


def case_detail(request, reference):
    case = get_case_for(request.user, reference)
    working_days = (
        working_days_between(case.received_on, case.allocated_on) if case.allocated_on and case.received_on else None
    )
    filed_on_time = case.report_filed_on <= case.report_due_on if case.report_filed_on and case.report_due_on else None
    record_view(request, Kind.CASE, object_id=case.pk, case_reference=case.reference)
    return render(
        request,
        "cases/detail.html",
        {
            "case": case,
            "children": case.child_list,
            "working_days_to_allocate": working_days,
            "filed_on_time": filed_on_time,
            "sections": sections_for(request, case),
            "may_close": case.closed_on is None and visibility.can_close_case(request.user, case),
        },
    )
