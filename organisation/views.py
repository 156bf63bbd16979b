"""The home page's cards for a person's roles (work.views.home adds the work list), and the health check."""

import logging

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from . import visibility
from .roles import Role

logger = logging.getLogger(__name__)


def home_context(user) -> dict:
    """The cards that fit a person's roles (the work app's home page adds their work list)."""
    cards = []
    if visibility.can_see_cases(user):
        if user.has_role(Role.AUDITOR):
            cards.append(("Audits to do", "/audits/", "Grade the case files allocated to you and moderate others."))
        if user.has_role(Role.PRACTITIONER):
            cards.append(
                ("Audits of my work", "/audits/", "Read your grades and learning actions and reflect on them.")
            )
        cards.append(("Cases", "/cases/", "The caseload you may see, with its latest audit grades."))
    elif visibility.is_external_moderator(user):
        cards.append(("Audits to do", "/audits/", "Grade or moderate the case files given to you."))
    if user.has_role(Role.AUDITOR, Role.EXTERNAL_MODERATOR) or visibility.is_admin(user):
        cards.append(
            ("Calibration sessions", "/audits/calibration/", "Grade a shared case file blind, then compare grades.")
        )
    if visibility.can_see_dashboards(user):
        cards.append(("Dashboards", "/dashboards/", "Grade mix, quality and operational KPIs by region and team."))
    if visibility.can_see_programmes(user):
        cards.append(("Audit programmes", "/programmes/", "Thematic audits drawn by rule: progress and results."))
    if visibility.can_read_plans(user):
        cards.append(("Improvement plans", "/plans/", "Objectives, actions, owners and progress."))
    if visibility.is_admin(user):
        cards.append(("Administration", "/admin/", "Regions, teams, people, audit templates, imports and exports."))
    roles = [Role(r).label for r in Role.values if r in user.roles]
    return {"cards": cards, "role_labels": roles}


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True
    except Exception:
        logger.exception("health: database did not answer")
        return False


def _broker_status() -> str:
    """'ok', 'not configured' (tasks run in-process) or 'unreachable'."""
    url = settings.CELERY_BROKER_URL
    if not url:
        return "not configured"
    try:
        from cafcass_qa.celery import app

        with app.connection_for_write(url) as conn:
            conn.ensure_connection(max_retries=1, timeout=1)
        return "ok"
    except Exception:
        logger.warning("health: broker at %s did not answer", url.split("@")[-1])
        return "unreachable"


@never_cache
def health(request):
    database = "ok" if _database_ok() else "unreachable"
    broker = _broker_status()
    healthy = database == "ok" and broker != "unreachable"
    # A load balancer or orchestrator reads the status code: 503 takes this instance out of service.
    return JsonResponse(
        {"status": "ok" if healthy else "degraded", "database": database, "broker": broker},
        status=200 if healthy else 503,
    )
