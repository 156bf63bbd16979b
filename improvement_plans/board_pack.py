"""GET /dashboards/board-pack.pdf?from=YYYY-MM&to=YYYY-MM: the board pack, a PDF made with WeasyPrint.

The national table, each region's key figures, the weakest criteria and the exceptions (the same
builders as the national page), then the improvement plans' RAG and their overdue actions; page
numbers, the date it was made and "figures as of". It lives here because it reads the plans, and
improvement_plans may import dashboards but not the other way round.
"""

from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET

from dashboards import pack
from dashboards import selectors as kpis
from dashboards.periods import PeriodError, parse_month
from organisation import visibility

from . import rag, selectors
from .models import Action


def _bad_request(request, message: str):
    return render(request, "improvement_plans/board_pack_error.html", {"message": message}, status=400)


def _window(request):
    """(first, last) months or an error message."""
    raw_from, raw_to = request.GET.get("from", "").strip(), request.GET.get("to", "").strip()
    if not raw_from or not raw_to:
        return "Give both months, from and to, for example ?from=2025-04&to=2025-06."
    try:
        first, last = parse_month(raw_from), parse_month(raw_to)
    except PeriodError as exc:
        return str(exc)
    if first > last:
        return f"The month from ({raw_from}) is after the month to ({raw_to})."
    return first, last


def overdue_actions(plans, today) -> list[Action]:
    """Overdue actions of these plans, oldest first. One query."""
    actions = list(
        Action.objects.filter(objective__plan__in=[p.pk for p in plans])
        .exclude(status=Action.Status.COMPLETE)
        .select_related("objective__plan")
        .order_by("due_on", "review_on", "pk")
    )
    return [a for a in actions if rag.is_overdue(status=a.status, due_on=a.due_on, review_on=a.review_on, today=today)]


@require_GET
def board_pack(request):
    user = request.user
    visibility.require(visibility.can_see_dashboards(user) and visibility.can_read_plans(user))
    window = _window(request)
    if isinstance(window, str):
        return _bad_request(request, window)
    first, last = window
    today = timezone.localdate()
    plans = selectors.plans_for_list(user, today=today)  # 2 queries
    context = {
        "period": pack.period_label(first, last),
        "made_at": timezone.localtime(),
        "computed_at": kpis.computed_at(),  # query
        "tables": pack.national_tables(user, first, last),
        "plans": plans,
        "overdue": overdue_actions(plans, today),  # query
    }
    html = render_to_string("improvement_plans/board_pack.html", context, request=request)
    from weasyprint import CSS, HTML  # imported here: loading pango costs a moment at start-up

    # The pack's styles are a file like every other page's (no inline <style>: see the CSP).
    stylesheet = CSS(filename=str(finders.find("css/board-pack.css")))
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf(stylesheets=[stylesheet])
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="board-pack-{first:%Y-%m}-to-{last:%Y-%m}.pdf"'
    return response
