"""Errors are styled GOV.UK pages, never Django's debug or bare pages."""

import pytest
from django.test import RequestFactory

from organisation import errors

pytestmark = pytest.mark.django_db


def test_unknown_page_is_a_styled_404(client, practitioner):
    client.force_login(practitioner)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html and "govuk-heading-l" in html


def test_forbidden_is_a_styled_403(client, board_member):
    request = RequestFactory().get("/cases/")
    request.user = board_member
    response = errors.permission_denied(request)
    assert response.status_code == 403
    assert "You do not have permission" in response.content.decode()


def test_server_error_page_renders_without_context_processors():
    response = errors.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()
