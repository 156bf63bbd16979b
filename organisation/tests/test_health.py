"""/health/ answers without sign-in and reports the database and the broker."""

import pytest

pytestmark = pytest.mark.django_db


def test_health_reports_database_and_broker(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/0"
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_health_reports_a_stopped_broker_without_failing_the_page(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6399/0"  # nothing listens here
    response = client.get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert body["broker"] == "unreachable"
    assert body["database"] == "ok"
    assert body["status"] == "degraded"


def test_health_with_no_broker_configured_says_tasks_run_in_process(client, settings):
    settings.CELERY_BROKER_URL = ""
    assert client.get("/health/").json()["broker"] == "not configured"
