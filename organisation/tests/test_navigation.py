"""Each person sees only the navigation their roles allow."""

import pytest

pytestmark = pytest.mark.django_db

CASEWORK = {"Cases", "Audits", "Feedback"}
EXPECTED = {
    "practitioner": {"Home", "My work", *CASEWORK},
    "auditor": {"Home", "My work", *CASEWORK},
    "service_manager": {"Home", "My work", *CASEWORK, "Dashboards", "Programmes", "Improvement plans"},
    "assistant_director": {"Home", "My work", "Dashboards", "Programmes", "Improvement plans"},
    "board_member": {"Home", "My work", "Dashboards", "Programmes", "Improvement plans"},
    "quality_admin": {"Home", "My work", *CASEWORK, "Dashboards", "Programmes", "Improvement plans", "Admin"},
}


def nav_labels(response):
    return {item["label"] for item in response.context["nav_items"]}


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_each_role_sees_its_own_navigation(client, request, role, team):
    from organisation.tests.factories import UserFactory

    user = UserFactory(username=f"nav-{role}", team=team, roles=[role])
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    assert nav_labels(response) == EXPECTED[role]
    html = response.content.decode()
    for label in EXPECTED[role] - {"My work"}:
        assert f">{label}</a>" in html
    # The work list's count is fetched after the page loads, so no page pays for it.
    assert '>My work<span hx-get="/my-work/count/" hx-trigger="load"' in html


def test_a_person_with_two_roles_sees_both_sets(client, team):
    from organisation.tests.factories import UserFactory

    user = UserFactory(username="two-hats", team=team, roles=["practitioner", "board_member"])
    client.force_login(user)
    assert nav_labels(client.get("/")) == {
        "Home",
        "My work",
        *CASEWORK,
        "Dashboards",
        "Programmes",
        "Improvement plans",
    }


def test_the_longest_matching_link_is_current(client, quality_admin):
    client.force_login(quality_admin)
    items = client.get("/programmes/").context["nav_items"]
    assert [i["label"] for i in items if i["active"]] == ["Programmes"]


def test_a_person_without_a_role_sees_only_home_and_is_told_why(client, team):
    from organisation.tests.factories import UserFactory

    user = UserFactory(username="no-role", team=team)
    client.force_login(user)
    response = client.get("/")
    assert nav_labels(response) == {"Home"}
    assert "You have no role yet" in response.content.decode()


def test_signed_in_pages_carry_the_user_menu_and_sign_out(client, practitioner):
    client.force_login(practitioner)
    html = client.get("/").content.decode()
    assert "Priya Practitioner" in html
    assert 'action="/accounts/logout/"' in html
    assert 'class="govuk-skip-link"' in html


def test_sign_out_ends_the_session(client, practitioner):
    client.force_login(practitioner)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302
