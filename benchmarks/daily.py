"""Every page a person opens daily, per role, through Django's test client; sign-in apart.

A service manager (the busiest region's), an auditor of that region with open audits, a
practitioner whose work was audited there, and the assistant director: each opens their
home page, lists, a case, an audit, the feedback list, the plans and the dashboards. Each
page is timed `runs` times after a warm-up, with the SQL queries of one request counted.
The dashboards and the API are timed twice: as served (from the cache after the first view
since the last roll-up) and with the cache emptied before every request (a view right
after a roll-up), so the cache hides no cost.

Sign-in is measured on its own (`sign_in`): it hashes the password on purpose (PBKDF2 at
the production work factor, not the test settings' fast hasher), so it stays out of the
page figures.
"""

from __future__ import annotations

import datetime
import time

from django.core.cache import cache
from django.db import connection
from django.db.models import Count
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from audits.models import Audit, AuditStatus
from cafcass_qa.memory import freeze_loaded_objects
from dashboards.synthetic import PREFIX
from improvement_plans.models import Action, Objective, Plan
from organisation.models import User
from organisation.roles import Role

from .harness import _last_month, _viewer, percentile, spread_ms, timed

BENCH_PLAN = "Benchmark: national improvement plan"
SIGN_IN_PASSWORD = "bench-sign-in-password-1"  # noqa: S105 (a synthetic person on the benchmark database)


def _bench_plan(owner) -> Plan:
    """A national plan of 6 objectives × 5 actions (the synthetic data has none); made once."""
    plan = Plan.objects.filter(title=BENCH_PLAN).first()
    if plan is not None:
        return plan
    plan = Plan.objects.create(title=BENCH_PLAN, owner=owner, review_on=datetime.date.today())
    today = datetime.date.today()
    for o in range(1, 7):
        objective = Objective.objects.create(plan=plan, ref=str(o), order=o, what=f"Objective {o}")
        for a in range(1, 6):
            Action.objects.create(
                objective=objective,
                ref=f"{o}.{a}",
                order=a,
                how=f"Action {o}.{a}",
                due_on=today + datetime.timedelta(days=30 * (a - 3)),
            )
    return plan


def people_and_targets() -> list[dict]:
    """(name, role, path, person) for every daily page; the people are synthetic."""
    open_audit = (
        Audit.objects.filter(
            status__in=[AuditStatus.SCHEDULED, AuditStatus.IN_PROGRESS], auditor__username__startswith=PREFIX
        )
        .values("region_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    region_id = open_audit["region_id"] if open_audit else None
    if region_id is None:
        region_id = Audit.objects.filter(status=AuditStatus.COMPLETED).values_list("region_id", flat=True).first()
    from organisation.models import Region

    region = Region.objects.get(pk=region_id)
    manager = _viewer(Role.SERVICE_MANAGER, region=region)
    director = _viewer(Role.ASSISTANT_DIRECTOR)
    mine = (
        Audit.objects.filter(region_id=region_id, status__in=[AuditStatus.SCHEDULED, AuditStatus.IN_PROGRESS])
        .order_by("due_on", "pk")
        .select_related("auditor")
        .first()
    )
    auditor = mine.auditor if mine else _viewer(Role.AUDITOR, region=region)
    done = (
        Audit.objects.filter(region_id=region_id, status=AuditStatus.COMPLETED, practitioner__isnull=False)
        .order_by("-completed_on", "-pk")
        .select_related("case", "practitioner")
        .first()
    )
    practitioner = done.practitioner
    last = _last_month()
    first = datetime.date(last.year - 1, last.month, 1) + datetime.timedelta(days=31)
    api = f"/api/v1/kpis/?from={first:%Y-%m}&to={last:%Y-%m}"
    team = done.team
    plan = _bench_plan(director)
    targets = [
        ("home", "service manager", "/", manager),
        ("audits_region", "service manager", "/audits/?section=region", manager),
        ("cases_list", "service manager", "/cases/", manager),
        ("case_detail", "service manager", f"/cases/{done.case.reference}/", manager),
        ("audit_detail", "service manager", f"/audits/{done.pk}/", manager),
        ("feedback_list", "service manager", "/feedback/", manager),
        ("plans_list", "service manager", "/plans/", manager),
        ("dashboard_region", "service manager", f"/dashboards/regions/{region.code}/", manager),
        ("dashboard_team", "service manager", f"/dashboards/regions/{region.code}/teams/{team.code}/", manager),
        ("home", "auditor", "/", auditor),
        ("audits_todo", "auditor", "/audits/?section=todo", auditor),
        ("audits_done", "auditor", "/audits/?section=done", auditor),
        ("cases_list", "auditor", "/cases/", auditor),
        ("audit_detail", "auditor", f"/audits/{mine.pk}/" if mine else None, auditor),
        ("home", "practitioner", "/", practitioner),
        ("audits_my_work", "practitioner", "/audits/?section=my-work", practitioner),
        ("cases_list", "practitioner", "/cases/", practitioner),
        ("case_detail", "practitioner", f"/cases/{done.case.reference}/", practitioner),
        ("nav_count", "service manager", "/my-work/count/", manager),
        ("audit_section", "auditor", f"/audits/{mine.pk}/sections/1/" if mine else None, auditor),
        ("home", "assistant director", "/", director),
        ("nav_count", "assistant director", "/my-work/count/", director),
        ("dashboard_national", "assistant director", "/dashboards/", director),
        ("api_kpis", "assistant director", api, director),
        ("plans_list", "assistant director", "/plans/", director),
        ("plan_detail", "assistant director", f"/plans/{plan.pk}/", director),
    ]
    return [{"name": n, "role": r, "path": p, "user": u} for n, r, p, u in targets if p]


UNCACHED = {"dashboard_national", "dashboard_region", "dashboard_team", "api_kpis"}


def _time_page(client, path: str, *, runs: int, warmup: int, empty_cache: bool) -> dict:
    status = None
    for _ in range(warmup):
        status = client.get(path).status_code
    if empty_cache:
        cache.clear()
    with CaptureQueriesContext(connection) as queries:
        status = client.get(path).status_code
    query_count = len(queries.captured_queries)
    times, cpu = [], []
    for _ in range(runs):
        if empty_cache:
            cache.clear()
        started_cpu = time.process_time()
        elapsed, response = timed(lambda: client.get(path))
        cpu.append((time.process_time() - started_cpu) * 1000)
        times.append(elapsed * 1000)
        status = response.status_code
    return {
        "status": status,
        **spread_ms(times),
        "runs": runs,
        "queries": query_count,
        # This process's CPU (Python: middleware, view, ORM, templates), not PostgreSQL's: what a
        # gunicorn worker spends per request, nearly independent of the machine's load.
        "cpu_ms": round(percentile(cpu, 0.5), 1),
    }


def measure_daily_pages(*, runs: int, warmup: int = 3) -> dict:
    """{"<role>: <page>": figures} for every daily page (and the dashboards uncached)."""
    freeze_loaded_objects()  # as the gunicorn workers do (cafcass_qa/wsgi.py)
    out = {}
    clients: dict[int, Client] = {}
    for target in people_and_targets():
        user = target["user"]
        client = clients.get(user.pk)
        if client is None:
            client = clients[user.pk] = Client()
            client.force_login(user)
        variants = [(False, "")]
        if target["name"] in UNCACHED:
            variants.append((True, " (uncached)"))
        for empty_cache, suffix in variants:
            figures = _time_page(client, target["path"], runs=runs, warmup=warmup, empty_cache=empty_cache)
            key = f"{target['role']}: {target['name']}{suffix}"
            out[key] = {"path": target["path"], "as": user.username, **figures}
    return out


def measure_sign_in(*, runs: int = 10) -> dict:
    """POST /accounts/login/ with the production password hasher (PBKDF2), signed out again each time."""
    hashers = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    with override_settings(PASSWORD_HASHERS=hashers):
        user = _viewer(Role.AUDITOR)
        user.set_password(SIGN_IN_PASSWORD)
        user.save(update_fields=["password"])
        times, status = [], None
        for _ in range(runs):
            client = Client()
            client.get("/accounts/login/")
            elapsed, response = timed(
                lambda client=client: client.post(
                    "/accounts/login/", {"username": user.username, "password": SIGN_IN_PASSWORD}
                )
            )
            times.append(elapsed * 1000)
            status = response.status_code
        User.objects.filter(pk=user.pk).update(password="!bench")  # noqa: S106 (unusable again)
    return {
        "path": "/accounts/login/ (POST)",
        "as": user.username,
        "status": status,
        **spread_ms(times),
        "runs": runs,
        "hasher": "PBKDF2 (production)",
    }
