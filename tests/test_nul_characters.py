"""A NUL character anywhere in a request is a clear 400, never a 500, and saves nothing."""

import pytest

from cases.tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/cases/%00/",
        "/cases/?q=%00",
        "/audits/new/?case=A%00B",
        "/feedback/request/%00/",
        "/dashboards/?period=2025-06%00",
        "/dashboards/regions/%00/",
        "/f/abc%00def/",
    ],
)
def test_a_nul_character_in_the_address_is_a_400_page(client, quality_admin, url):
    client.force_login(quality_admin)
    response = client.get(url)
    assert response.status_code == 400
    assert "Sorry, that request could not be read" in response.content.decode()


def test_the_api_and_the_public_form_answer_400_too_without_sign_in(client):
    api = client.get("/api/v1/kpis/?from=2025-01%00&to=2025-02")
    assert api.status_code == 400
    assert "NUL" in api.json()["error"]
    assert client.get("/f/x%00/").status_code == 400


def test_a_posted_nul_character_saves_nothing(client, quality_admin, team):
    case = CaseFactory(team=team)
    client.force_login(quality_admin)
    response = client.post(
        "/feedback/new/?audience=child",
        {"case_reference": case.reference, "channel": "phone", "anything_else": "a\x00b"},
    )
    assert response.status_code == 400
    assert case.feedback.count() == 0
