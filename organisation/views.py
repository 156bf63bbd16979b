"""The home page's cards for a person's roles (work.views.home adds the work list), and the health check."""

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from .navigation import home_cards
from .roles import Role

logger = logging.getLogger(__name__)


def home_context(user) -> dict:
    """The cards that fit a person's roles (the work app's home page adds their work list)."""
    cards = home_cards(user)
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


@login_not_required
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
