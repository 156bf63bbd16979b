"""The signed-in home page is a GOV.UK page: its classes, and the GOV.UK stylesheet served by whitenoise."""

import re

import pytest

pytestmark = pytest.mark.django_db


def test_signed_in_home_page_renders_with_govuk_styles(client, service_manager):
    client.force_login(service_manager)
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    for css_class in [
        "govuk-template",
        "govuk-template__body",
        "moj-header",
        "govuk-width-container",
        "govuk-main-wrapper",
        "govuk-footer",
    ]:
        assert css_class in html, css_class
    assert 'class="govuk-skip-link"' in html
    stylesheet = re.search(r'<link rel="stylesheet" href="([^"]*govuk-frontend[^"]*\.css)"', html)
    assert stylesheet, "the page links the GOV.UK Frontend stylesheet"
    href = stylesheet.group(1)
    assert href.startswith("/static/"), "served by the app, never from a CDN"
    served = client.get(href)
    assert served.status_code == 200
    body = b"".join(served.streaming_content) if served.streaming else served.content
    assert b".govuk-template" in body and b"GDS Transport" in body
