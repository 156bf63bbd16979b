"""A quality admin manages people and their roles in the admin, but never hands out Django's own
powers (staff, superuser, single permissions) and leaves superusers alone."""

import pytest

from organisation.models import User
from organisation.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def change_form_data(user, **extra):
    data = {
        "username": user.username,
        "first_name": "",
        "last_name": "",
        "email": user.email or "",
        "full_name": user.full_name,
        "is_active": "on",
        "date_joined_0": "2024-01-01",
        "date_joined_1": "09:00:00",
        "region": user.region_id or "",
        "team": user.team_id or "",
    }
    data.update(extra)
    return data


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True, team=None, region=None)


def test_the_change_form_shows_no_staff_superuser_or_permission_fields_to_a_quality_admin(
    client, quality_admin, practitioner
):
    client.force_login(quality_admin)
    html = client.get(f"/admin/organisation/user/{practitioner.pk}/change/").content.decode()
    assert 'name="is_active"' in html  # the form is there ...
    for field in ["is_superuser", "is_staff", "user_permissions"]:
        assert f'name="{field}"' not in html  # ... without these


@pytest.mark.parametrize("whom", ["practitioner", "quality_admin"])
def test_a_quality_admin_cannot_make_anyone_superuser_or_staff_themselves_included(
    client, request, quality_admin, whom
):
    target = request.getfixturevalue(whom)
    client.force_login(quality_admin)
    response = client.post(
        f"/admin/organisation/user/{target.pk}/change/",
        change_form_data(target, full_name="Renamed", is_superuser="on", is_staff="on"),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    target.refresh_from_db()
    assert target.full_name == "Renamed"  # the save went through ...
    assert not target.is_superuser and not target.is_staff  # ... without the powers


def test_a_quality_admin_cannot_edit_delete_or_reset_the_password_of_a_superuser(client, quality_admin, superuser):
    client.force_login(quality_admin)
    base = f"/admin/organisation/user/{superuser.pk}"
    response = client.post(f"{base}/change/", change_form_data(superuser, full_name="Taken over", is_active=""))
    assert response.status_code == 403
    assert client.post(f"{base}/password/", {"password1": "x" * 20, "password2": "x" * 20}).status_code == 403
    assert client.post(f"{base}/delete/", {"post": "yes"}).status_code == 403
    client.post(
        "/admin/organisation/user/", {"action": "delete_selected", "_selected_action": [superuser.pk], "post": "yes"}
    )
    superuser.refresh_from_db()
    assert superuser.is_active and superuser.full_name != "Taken over"
    assert superuser.check_password("x" * 20) is False


def test_a_superuser_still_grants_staff(client, superuser, practitioner):
    client.force_login(superuser)
    response = client.post(
        f"/admin/organisation/user/{practitioner.pk}/change/", change_form_data(practitioner, is_staff="on")
    )
    assert response.status_code == 302
    assert User.objects.get(pk=practitioner.pk).is_staff
