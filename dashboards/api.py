"""GET /api/v1/kpis/?from=YYYY-MM&to=YYYY-MM[&region=CODE][&template=SLUG][&programme=ID] — the KPI contract.

The grade figures count routine audits (none of a thematic programme) unless `template=`
(every audit on that template) or `programme=` (that programme's audits) asks otherwise.

Signed-in session or `Authorization: Token <key>`; the same visibility rules as the pages
(a service manager's `regions` holds only their own region, and `?region=` for another is
403 as the region page is; `national` is always the whole country, the benchmark their
national page shows too, and never more than totals). Percentages and Wilson bounds are
unrounded numbers 0–100, `null` where the denominator is 0. A bad period or region is a
400 with {"error": "…"}. Reads the snapshot tables only, in a fixed number of queries.
"""

import datetime
import re
from dataclasses import dataclass

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from audits.models import AuditTemplate
from organisation import visibility
from organisation.models import Region

from . import caching, columns, selectors
from .models import ApiToken
from .periods import PeriodError, echo, parse_month
from .selection import SelectionError, parse_selection

API_FIELDS = columns.api_fields()  # the figures the pages show, as the API names them


def _error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def user_from_token(request):
    """The active user of a valid `Authorization: Token <key>` header, else None."""
    header = request.headers.get("Authorization", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "token" or not key.strip():
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=ApiToken.hash_key(key.strip()), is_active=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    # Recorded at most once a minute, so a busy script does not write on every call.
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


# Region codes are slugs; anything else cannot name a region (and a NUL byte would upset
# PostgreSQL), so it is answered with a 400 before any query.
REGION_CODE_RE = re.compile(r"^[-a-zA-Z0-9_]{1,50}$")


def _figures(counts: dict) -> dict:
    # Unrounded: scripts get the exact ratio and Wilson bounds and round as they need;
    # the pages round for display.
    all_figures = selectors.figures(counts, places=None)
    return {name: all_figures[name] for name in API_FIELDS}


def _request_scope(request):
    """(user, first, last, regions) for a valid request, or (JsonResponse, …) for a bad one.

    Shared by every endpoint: the same sign-in, roles, period and region rules.
    """
    if request.method not in ("GET", "HEAD"):
        response = _error("This API is read-only: use GET.", 405)
        response["Allow"] = "GET, HEAD"
        return response
    user = request.user if request.user.is_authenticated else user_from_token(request)
    if user is None:
        response = _error("Sign in, or send an API token as 'Authorization: Token <key>'.", 401)
        response["WWW-Authenticate"] = 'Token realm="api"'
        return response
    if not visibility.can_see_dashboards(user):
        return _error("Your roles do not include reading the KPI dashboards.", 403)

    raw_from, raw_to = request.GET.get("from", ""), request.GET.get("to", "")
    if not raw_from or not raw_to:
        return _error("Give both 'from' and 'to' as months, for example ?from=2025-04&to=2025-06.", 400)
    try:
        first, last = parse_month(raw_from), parse_month(raw_to)
    except PeriodError as exc:
        return _error(str(exc), 400)
    if first > last:
        return _error(f"'from' ({raw_from}) is after 'to' ({raw_to}).", 400)

    regions = visibility.visible_regions(user).order_by("name")
    code = request.GET.get("region")
    if code is not None:
        wanted = Region.objects.filter(code=code).first() if REGION_CODE_RE.match(code) else None
        if wanted is None:
            return _error(f"There is no region with the code '{echo(code)}'.", 400)
        if not visibility.can_see_region(user, wanted):
            return _error(f"You may not see the figures of region '{code}'.", 403)
        regions = [wanted]
    return _Scope(user, first, last, list(regions))


@dataclass(frozen=True)
class _Scope:
    user: object
    first: datetime.date
    last: datetime.date
    regions: list


def _feedback(by_type: dict) -> dict:
    figures = selectors.feedback_figures(by_type)
    figures.pop("understood_n")
    return figures


@login_not_required  # the API answers 401/403 in JSON itself (user_from_token)
@never_cache
def kpis(request):
    scope = _request_scope(request)
    if isinstance(scope, JsonResponse):
        return scope
    first, last, regions = scope.first, scope.last, scope.regions

    # Answered before from the same snapshots for the same view of them: the cached body (keyed
    # by the newest roll-up, the viewer's visibility and the exact query; only successful
    # answers are cached, and the checks above ran first).
    computed_at = selectors.computed_at()  # one query
    key = caching.figures_key(request, scope.user, computed_at)
    body = caching.api_get(key)
    if body is not None:
        return HttpResponse(body, content_type="application/json")

    try:
        selection, _ = parse_selection(request.GET)
    except SelectionError as exc:
        return _error(str(exc), 400)
    by_region = selectors.totals_by("region_id", first=first, last=last, audits=selection)  # every region
    feedback = selectors.feedback_by_respondent(first=first, last=last)  # one query, every region
    empty = dict.fromkeys(selectors.COUNT_FIELDS, 0)
    response = JsonResponse(
        {
            "from": f"{first:%Y-%m}",
            "to": f"{last:%Y-%m}",
            "computed_at": computed_at.isoformat() if computed_at else None,
            "regions": [
                {
                    "code": r.code,
                    "name": r.name,
                    **_figures(by_region.get(r.pk, empty)),
                    "feedback": _feedback(selectors.feedback_counts_for(feedback, {r.pk})),
                }
                for r in regions
            ],
            "national": {
                **_figures(selectors.add_counts(by_region.values())),
                "feedback": _feedback(selectors.feedback_counts_for(feedback)),
            },
        }
    )
    caching.api_set(key, response.content)
    return response


TEMPLATE_SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]{1,50}$")


def _criterion_entry(kind: str, counts: dict | None) -> dict:
    figure = selectors.criterion_figure(kind, counts)
    name = "yes_pct" if kind == "yes_no" else "good_or_better_pct"
    ci = figure["ci95"]
    return {"n": figure["n"], name: figure["pct"], "ci95": None if ci is None else [ci[0], ci[1]]}


@login_not_required
@never_cache
def criteria(request):
    """GET /api/v1/criteria/?from=YYYY-MM&to=YYYY-MM[&region=CODE][&template=SLUG]: per criterion
    code, % good or better (graded) or % yes (yes/no) with n and the Wilson interval, per visible
    region and nationally; read from the criterion result snapshots in a fixed number of queries."""
    scope = _request_scope(request)
    if isinstance(scope, JsonResponse):
        return scope
    slug = request.GET.get("template")
    if slug is not None and (not TEMPLATE_SLUG_RE.match(slug) or not AuditTemplate.objects.filter(slug=slug).exists()):
        return _error(f"There is no audit template called '{echo(slug)}'.", 400)
    rows = selectors.criterion_results(first=scope.first, last=scope.last, template_slug=slug)
    by_code = selectors.criteria_by_code(rows)
    computed_at = selectors.computed_at()
    out = []
    for code, entry in sorted(by_code.items(), key=lambda item: (item[1]["template"], item[0])):
        kind = "yes_no" if entry["kind"] == "yes_no" else "graded"
        out.append(
            {
                "code": code,
                "text": entry["text"],
                "kind": kind,
                "regions": [
                    {"code": r.code, **_criterion_entry(kind, entry["regions"].get(r.pk))} for r in scope.regions
                ],
                "national": _criterion_entry(kind, entry["total"]),
            }
        )
    return JsonResponse(
        {
            "from": f"{scope.first:%Y-%m}",
            "to": f"{scope.last:%Y-%m}",
            "computed_at": computed_at.isoformat() if computed_at else None,
            "criteria": out,
        }
    )
