"""The Django admin is the quality admins' tool: their role opens it, nobody else's, and it shows
cases through the visibility module like every other page."""

import pytest

from cases.tests.factories import CaseFactory, ChildFactory
from organisation.tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_quality_admin_opens_the_admin_without_the_staff_flag(client, quality_admin):
    # People imported from CSV have their roles but not Django's is_staff flag.
    assert not quality_admin.is_staff
    client.force_login(quality_admin)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/cases/case/").status_code == 200


@pytest.mark.parametrize("person", ["service_manager", "practitioner", "auditor", "board_member"])
def test_other_roles_are_kept_out_even_when_marked_staff(client, request, person, team, other_team):
    user = request.getfixturevalue(person)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    CaseFactory(reference="ADMIN-ELSE", team=other_team)
    client.force_login(user)
    for path in ["/admin/", "/admin/cases/case/", "/admin/cases/child/", "/admin/cases/case/export/"]:
        response = client.get(path)
        assert response.status_code in (302, 403), path
        assert b"ADMIN-ELSE" not in response.content


def test_the_case_admin_lists_what_visibility_allows(client, quality_admin, team, other_team):
    CaseFactory(reference="ADMIN-HERE", team=team)
    ChildFactory(case=CaseFactory(reference="ADMIN-ELSE", team=other_team), label="Child Z")
    client.force_login(quality_admin)
    html = client.get("/admin/cases/case/").content.decode()
    assert "ADMIN-HERE" in html and "ADMIN-ELSE" in html
    assert "Child Z" in client.get("/admin/cases/child/").content.decode()


def test_a_superuser_still_opens_the_admin(client):
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True, team=None, region=None))
    assert client.get("/admin/").status_code == 200


def test_a_team_with_cases_cannot_be_moved_to_another_region_in_the_admin(client, quality_admin, team, other_region):
    CaseFactory(team=team)
    empty = TeamFactory(code="ne-empty", name="Empty", region=team.region)
    client.force_login(quality_admin)
    for moved, allowed in [(team, False), (empty, True)]:
        response = client.post(
            f"/admin/organisation/team/{moved.pk}/change/",
            {"code": moved.code, "name": moved.name, "region": other_region.pk},
        )
        moved.refresh_from_db()
        if allowed:
            assert response.status_code == 302 and moved.region_id == other_region.pk
        else:
            assert response.status_code == 200 and moved.region_id != other_region.pk
            assert "move them to another team before moving the team" in response.content.decode()
