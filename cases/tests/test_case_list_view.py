"""/cases/: only what visibility allows, filters that never 500, a fixed number of queries."""

import datetime

import pytest
from django.urls import reverse

from cases.models import ApplicationType, Case, LawType
from cases.tests.factories import CaseFactory
from organisation.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/cases/"


def refs(response) -> set[str]:
    return {case.reference for case in response.context["page"].object_list}


def test_the_list_lives_at_the_stable_path():
    assert reverse("cases:list") == URL


@pytest.fixture
def caseload(team, other_team, practitioner, colleague):
    return {
        "mine": CaseFactory(reference="MINE-1", team=team, practitioner=practitioner),
        "colleague": CaseFactory(reference="COLL-1", team=team, practitioner=colleague),
        "elsewhere": CaseFactory(reference="ELSE-1", team=other_team, practitioner=None, allocated_on=None),
    }


def test_practitioner_sees_only_their_own_cases(client, practitioner, caseload):
    client.force_login(practitioner)
    assert refs(client.get(URL)) == {"MINE-1"}


def test_service_manager_sees_their_region_only(client, service_manager, caseload):
    client.force_login(service_manager)
    assert refs(client.get(URL)) == {"MINE-1", "COLL-1"}


def test_quality_admin_sees_every_region(client, quality_admin, caseload):
    client.force_login(quality_admin)
    assert refs(client.get(URL)) == {"MINE-1", "COLL-1", "ELSE-1"}


@pytest.mark.parametrize("person", ["board_member", "assistant_director"])
def test_people_who_read_aggregates_only_get_403(client, request, person, caseload):
    client.force_login(request.getfixturevalue(person))
    response = client.get(URL)
    assert response.status_code == 403
    assert b"MINE-1" not in response.content


def test_rows_show_the_columns(client, service_manager, caseload):
    Case.objects.filter(reference="MINE-1").update(last_audit_grade=3, last_audited_on=datetime.date(2025, 5, 2))
    client.force_login(service_manager)
    html = client.get(URL).content.decode()
    for text in ["MINE-1", "North East", "Durham", "Priya Practitioner", "Private law", "Child arrangements", "Open"]:
        assert text in html
    assert "Good" in html
    assert f'href="{reverse("cases:detail", args=["MINE-1"])}"' in html


def test_filters_narrow_the_list(client, service_manager, team, practitioner, caseload):
    CaseFactory(
        reference="CARE-1",
        team=team,
        practitioner=practitioner,
        law_type=LawType.PUBLIC,
        application_type=ApplicationType.S31_CARE,
        closed_on=datetime.date(2025, 6, 1),
    )
    client.force_login(service_manager)
    assert refs(client.get(URL, {"law_type": "public"})) == {"CARE-1"}
    assert refs(client.get(URL, {"application_type": "s31_care"})) == {"CARE-1"}
    assert refs(client.get(URL, {"status": "closed"})) == {"CARE-1"}
    assert refs(client.get(URL, {"status": "open"})) == {"MINE-1", "COLL-1"}
    assert refs(client.get(URL, {"practitioner": "fca2"})) == {"COLL-1"}
    assert refs(client.get(URL, {"team": "ne-durham"})) == {"MINE-1", "COLL-1", "CARE-1"}
    assert refs(client.get(URL, {"q": "coll"})) == {"COLL-1"}


def test_a_region_the_person_may_not_see_is_a_form_error_not_data(client, service_manager, caseload):
    client.force_login(service_manager)
    response = client.get(URL, {"region": "south-west"})
    assert response.status_code == 200
    assert "ELSE-1" not in refs(response)
    html = response.content.decode()
    assert "govuk-error-summary" in html and "govuk-error-message" in html


@pytest.mark.parametrize(
    "params",
    [{"status": "sideways"}, {"law_type": "civil"}, {"sort": "nonsense"}, {"team": "-1"}, {"page": "banana"}],
)
def test_bad_filter_values_never_500(client, quality_admin, caseload, params):
    client.force_login(quality_admin)
    response = client.get(URL, params)
    assert response.status_code == 200


def test_sorting_by_a_column(client, quality_admin, caseload):
    client.force_login(quality_admin)
    response = client.get(URL, {"sort": "-reference"})
    assert [c.reference for c in response.context["page"].object_list] == ["MINE-1", "ELSE-1", "COLL-1"]
    response = client.get(URL, {"sort": "region"})
    # North East before South West; within a region by reference.
    assert [c.reference for c in response.context["page"].object_list] == ["COLL-1", "MINE-1", "ELSE-1"]


def test_pages_of_fifty(client, quality_admin, team):
    CaseFactory.create_batch(51, team=team)
    client.force_login(quality_admin)
    first = client.get(URL)
    assert len(first.context["page"].object_list) == 50
    assert 'class="govuk-pagination"' in first.content.decode()
    assert len(client.get(URL, {"page": 2}).context["page"].object_list) == 1


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        # session, user, roles; count of cases; regions, teams, practitioners (the filter
        # options); the page of cases with region, team and practitioner joined.
        ({}, 8),
        # ... plus one lookup for each chosen option (team, practitioner).
        ({"team": "ne-durham", "practitioner": "fca", "sort": "-grade"}, 10),
        # The dashboards' drill-down filters add no query: they narrow the same count and page.
        (
            {
                "team": "ne-durham",
                "application_type": "child_arrangements",
                "received_from": "2025-01",
                "received_to": "2025-12",
                "due_from": "2025-01",
                "due_to": "2025-12",
                "allocated": "yes",
                "filed_on_time": "no",
                "da_alleged": "no",
                "da_substantiated": "no",
            },
            9,
        ),
    ],
)
def test_query_count_is_the_same_for_10_and_200_cases(
    client, service_manager, team, params, expected, django_assert_num_queries
):
    practitioners = [UserFactory(username=name, team=team, roles=["practitioner"]) for name in ["fca", "p2", "p3"]]
    for i in range(10):
        CaseFactory(team=team, practitioner=practitioners[i % 3])
    client.force_login(service_manager)
    client.get(URL)  # warm the session
    with django_assert_num_queries(expected):
        small = client.get(URL, params)
    for i in range(190):
        CaseFactory(team=team, practitioner=practitioners[i % 3])
    assert Case.objects.count() == 200
    with django_assert_num_queries(expected):
        large = client.get(URL, params)
    assert small.status_code == large.status_code == 200
    assert len(large.context["page"].object_list) == 50  # a full page either way (fca holds 67)


def test_the_practitioner_filter_offers_only_people_of_the_managers_region(client, service_manager, caseload):
    UserFactory(username="sw-fca", full_name="Sid Southwest", team=caseload["elsewhere"].team, roles=["practitioner"])
    client.force_login(service_manager)
    response = client.get(URL)
    html = response.content.decode()
    assert "Priya Practitioner" in html and "Colin Colleague" in html
    assert "Sid Southwest" not in html
    assert refs(client.get(URL, {"practitioner": "sw-fca"})) == {"MINE-1", "COLL-1"}  # refused: a form error


def test_a_list_longer_than_the_count_limit_says_more_than_and_stops_there(client, service_manager, team, monkeypatch):
    from organisation import paging

    monkeypatch.setattr(paging, "COUNT_LIMIT", 2)
    CaseFactory.create_batch(3, team=team)
    client.force_login(service_manager)
    response = client.get(URL)
    body = response.content.decode()
    assert "more than 2 cases" in body and "Only the first 2 are listed" in body
    assert len(response.context["page"].object_list) == 2
