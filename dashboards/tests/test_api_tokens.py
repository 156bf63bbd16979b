"""API tokens are issued in the admin: the key is shown once and stored only as its hash."""

import pytest
from django.contrib.messages import get_messages

from dashboards.models import ApiToken
from organisation.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_admin_issues_a_token_and_shows_its_key_once(client, board_member):
    admin_user = UserFactory(username="root", team=None, region=None, is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    response = client.post(
        "/admin/dashboards/apitoken/add/", {"user": board_member.pk, "name": "board pack", "is_active": "on"}
    )
    assert response.status_code == 302
    token = ApiToken.objects.get()
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    key = next(m for m in shown if "copy it now" in m).split(" is ", 1)[1].split(" — ", 1)[0]
    assert ApiToken.hash_key(key) == token.key_hash
    assert key.startswith(token.prefix) and key != token.key_hash

    client.logout()
    api = client.get("/api/v1/kpis/", {"from": "2025-01", "to": "2025-01"}, HTTP_AUTHORIZATION=f"Token {key}")
    assert api.status_code == 200
