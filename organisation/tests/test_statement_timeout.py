"""Web requests run under a statement timeout; one that runs past it gets a clear 503 page."""

import time

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client

from organisation.middleware import is_statement_timeout

pytestmark = [pytest.mark.django_db, pytest.mark.urls("organisation.tests.urls_slow")]


@pytest.fixture
def tiny_timeout(settings):
    settings.WEB_STATEMENT_TIMEOUT_MS = 100
    settings.WEB_LONG_STATEMENT_TIMEOUT_MS = 5000


def _server_timeout() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        return cursor.fetchone()[0]


def test_a_request_past_the_timeout_gets_the_took_too_long_page(client, practitioner, tiny_timeout):
    client.force_login(practitioner)
    started = time.monotonic()
    response = client.get("/slow/?seconds=3")
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    html = response.content.decode()
    assert "Sorry, this page took too long" in html
    assert "govuk-heading-l" in html and "Traceback" not in html
    assert response["Retry-After"] == "30"
    assert elapsed < 2, "the statement was not cancelled: the worker waited for it"


def test_the_api_answers_json_when_it_takes_too_long(practitioner, tiny_timeout):
    client = Client(raise_request_exception=False)
    client.force_login(practitioner)
    response = client.get("/api/v1/slow/?seconds=3")
    assert response.status_code == 503
    assert "took too long" in response.json()["error"]


def test_a_request_within_the_timeout_is_served(client, practitioner, tiny_timeout):
    client.force_login(practitioner)
    response = client.get("/slow/?seconds=0.01")
    assert response.status_code == 200


def test_a_download_marked_long_gets_the_longer_limit(client, practitioner, tiny_timeout):
    client.force_login(practitioner)
    response = client.get("/slow-download/?seconds=0.3")
    assert response.status_code == 200


def test_the_timeout_is_set_by_web_requests_only(client, practitioner, tiny_timeout):
    # Outside a request (a task, a command, a migration) the server's own setting holds.
    before = _server_timeout()
    assert before != "100ms"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(0.3)")  # past the web limit, and not cancelled
    call_command("check", verbosity=0)
    assert _server_timeout() == before
    client.force_login(practitioner)
    assert client.get("/slow/?seconds=0").status_code == 200
    assert _server_timeout() == "100ms"


def test_other_database_errors_are_not_mistaken_for_a_timeout():
    assert not is_statement_timeout(ValueError("no"))
    err = RuntimeError("wrapped")
    err.__cause__ = type("Fake", (Exception,), {"pgcode": "57014"})()
    assert is_statement_timeout(err)


def test_with_the_database_down_the_health_check_still_answers(client, monkeypatch, tiny_timeout):
    from django.db import OperationalError

    def refuse():
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "ensure_connection", refuse)
    response = client.get("/health/")
    assert response.status_code == 503  # degraded, said plainly (never a 500)
    assert response.json()["database"] == "unreachable"
