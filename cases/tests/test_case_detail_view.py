"""/cases/<reference>/: the case and its children, through get_case_for; outsiders get 404 or 403."""

import datetime

import pytest
from django.urls import reverse

from cases.tests.factories import CaseFactory, ChildFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(team, practitioner):
    case = CaseFactory(
        reference="DET-1",
        team=team,
        practitioner=practitioner,
        received_on=datetime.date(2025, 4, 17),
        allocated_on=datetime.date(2025, 4, 22),
        report_due_on=datetime.date(2025, 6, 30),
        report_filed_on=datetime.date(2025, 6, 27),
    )
    ChildFactory(case=case, label="Child A", age_band="1-4", ethnicity="Mixed: White and Black Caribbean")
    ChildFactory(case=case, label="Child B", age_band="10-14", disability="Autism", religion="Muslim")
    return case


def url(case):
    return reverse("cases:detail", args=[case.reference])


def test_practitioner_sees_their_case_with_its_children(client, practitioner, case):
    client.force_login(practitioner)
    response = client.get(url(case))
    assert response.status_code == 200
    html = response.content.decode()
    for text in ["DET-1", "Child A", "Child B", "Mixed: White and Black Caribbean", "Autism", "Muslim", "10 to 14"]:
        assert text in html
    # Thu 17 -> Tue 22 April 2025 spans Good Friday and Easter Monday: one working day.
    assert "1 working day after it was received" in html
    assert "(on time)" in html


def test_service_manager_of_the_region_sees_it(client, service_manager, case):
    client.force_login(service_manager)
    assert client.get(url(case)).status_code == 200


def test_service_manager_of_another_region_gets_404_and_never_the_data(client, other_manager, case):
    client.force_login(other_manager)
    response = client.get(url(case))
    assert response.status_code == 404
    assert b"Child A" not in response.content and b"DET-1" not in response.content


def test_a_colleague_practitioner_gets_404(client, colleague, case):
    client.force_login(colleague)
    assert client.get(url(case)).status_code == 404


@pytest.mark.parametrize("person", ["board_member", "assistant_director"])
def test_aggregate_readers_get_403(client, request, person, case):
    client.force_login(request.getfixturevalue(person))
    response = client.get(url(case))
    assert response.status_code == 403
    assert b"Child A" not in response.content


def test_an_unknown_reference_is_404(client, quality_admin):
    client.force_login(quality_admin)
    assert client.get(reverse("cases:detail", args=["NOPE"])).status_code == 404


def test_detail_costs_a_fixed_number_of_queries(client, service_manager, case, django_assert_max_num_queries):
    for i in range(5):
        ChildFactory(case=case, label=f"Child {i}")
    client.force_login(service_manager)
    client.get(url(case))
    # session, user, roles, the case (with region, team, practitioner), its children,
    # the access record (one INSERT), and one query each for the sections other apps add
    # (audits, feedback, feedback requests)
    with django_assert_max_num_queries(9):
        client.get(url(case))


# (A NUL character is answered 400 before any lookup: tests/test_nul_characters.py.)
@pytest.mark.parametrize("reference", ["det-1", "DET-1%20", "x" * 300, "' OR 1=1 --"])
def test_odd_references_are_404_never_500(client, service_manager, case, reference):
    client.force_login(service_manager)
    assert client.get(f"/cases/{reference}/").status_code == 404
