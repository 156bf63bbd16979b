"""Rendered dashboard figures and API answers, cached until the next roll-up.

The dashboards and the KPI API read snapshot tables that change only when a roll-up runs
(each run records itself in RollupRun), and a few small tables of the organisation
(regions, teams, who is a practitioner). So a rendered answer is keyed by:

- the newest roll-up (the "figures as of" moment the page shows, read anyway): any run
  makes a new key, so a page is never older than the figures;
- an organisation version, bumped whenever a region, team, person or their roles change
  (signals below), so team names and practitioner counts are never stale either;
- what the person may see (national or their region, their roles), and the exact
  request (path and query string).

Django's cache framework holds them: Redis in production (CACHE_URL), local memory in
`make run` and the tests. Keys are never invalidated by hand; old ones simply expire.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key
from django.shortcuts import render

from organisation import visibility

FRAGMENT = "dashboard-figures"  # the {% cache %} fragment name in the dashboard templates
TIMEOUT = 24 * 60 * 60  # a backstop only: keys change with every roll-up
ORG_VERSION_KEY = "dashboards:org-version"


def org_version() -> int:
    version = cache.get(ORG_VERSION_KEY)
    if version is None:
        cache.add(ORG_VERSION_KEY, 1, timeout=None)
        version = cache.get(ORG_VERSION_KEY) or 1
    return version


def bump_org_version(**kwargs) -> None:
    """A region, team, person or role changed: every cached figure is re-rendered on next view."""
    try:
        cache.incr(ORG_VERSION_KEY)
    except ValueError:  # not set yet (or evicted): any new value differs from nothing cached
        cache.add(ORG_VERSION_KEY, 2, timeout=None)


def viewer_key(user) -> str:
    """What decides what this person sees of the figures: national or a region, and roles."""
    scope = "all" if visibility.sees_all_regions(user) else f"region-{user.region_id or 0}"
    roles = ",".join(sorted(user.roles)) if getattr(user, "is_authenticated", False) else ""
    return f"{scope}|{roles}|{int(bool(getattr(user, 'is_superuser', False)))}"


def figures_key(request, user, computed_at) -> str:
    """The key of one rendered answer (see the module's docstring)."""
    run = computed_at.isoformat() if computed_at else "none"
    raw = f"{request.path}?{request.META.get('QUERY_STRING', '')}|{run}|{org_version()}|{viewer_key(user)}"
    return hashlib.sha256(raw.encode()).hexdigest()


def cached_page(request, template: str, ctx: dict):
    """Set ctx["figures_key"]; when that rendering is cached already, answer with it (the
    view then skips its snapshot queries); None when the view must build the figures."""
    key = figures_key(request, request.user, ctx["status"]["computed_at"])
    ctx["figures_key"] = key
    if request.GET.get("format") == "csv":
        return None
    if cache.get(make_template_fragment_key(FRAGMENT, [key])) is None:
        return None
    return render(request, template, ctx, status=400 if ctx["period_error"] else 200)


def api_get(key: str):
    return cache.get(f"dashboards:api:{key}")


def api_set(key: str, body: bytes) -> None:
    cache.set(f"dashboards:api:{key}", body, TIMEOUT)
