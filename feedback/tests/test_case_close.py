"""Closing a case (admin, import, or the case page's form) makes its feedback requests, once."""

import datetime

import pytest

from cases.models import Case
from cases.tests.factories import CaseFactory, ChildFactory
from feedback.links import feedback_requests_for_closed_case
from feedback.models import FeedbackRequest
from organisation.importing import import_csv

pytestmark = pytest.mark.django_db

HEADER = (
    "reference,region_code,team_code,law_type,application_type,practitioner_username,"
    "received_on,allocated_on,report_due_on,report_filed_on,closed_on\n"
)


def made(case) -> set[tuple[str, str]]:
    return set(FeedbackRequest.objects.filter(case=case, automatic=True).values_list("audience", "child_label"))


@pytest.fixture
def case(team, practitioner):
    case = CaseFactory(reference="CL-1", team=team, practitioner=practitioner)
    ChildFactory(case=case, label="Child A", age_band="5-9")
    ChildFactory(case=case, label="Child B", age_band="15+")
    ChildFactory(case=case, label="Child C", age_band="1-4")  # too young for a link
    return case


EXPECTED = {("child", "Child A"), ("young_person", "Child B"), ("parent_carer", ""), ("judge", "")}


def test_each_configured_person_gets_a_request_once(case):
    assert feedback_requests_for_closed_case(case=case) == 4
    assert made(case) == EXPECTED
    assert feedback_requests_for_closed_case(case=case) == 0
    assert FeedbackRequest.objects.filter(case=case).count() == 4


def test_requests_wait_without_a_token_until_handed_over(case):
    feedback_requests_for_closed_case(case=case)
    assert not FeedbackRequest.objects.filter(token_hash__isnull=False).exists()


def test_closing_in_the_admin_makes_the_requests_once(admin_client, case, django_capture_on_commit_callbacks):
    data = {
        "reference": case.reference,
        "region": case.region_id,
        "team": case.team_id,
        "law_type": case.law_type,
        "application_type": case.application_type,
        "practitioner": case.practitioner_id,
        "received_on": "2025-04-01",
        "allocated_on": "2025-04-02",
        "report_due_on": "2025-06-24",
        "closed_on": "2025-07-01",
        "children-TOTAL_FORMS": "0",
        "children-INITIAL_FORMS": "0",
        "children-MIN_NUM_FORMS": "0",
        "children-MAX_NUM_FORMS": "1000",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/admin/cases/case/{case.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert made(case) == EXPECTED
    data["closed_on"] = "2025-07-02"  # a correction of the date is not a second closing
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(f"/admin/cases/case/{case.pk}/change/", data)
    assert FeedbackRequest.objects.filter(case=case).count() == 4


def test_closing_by_import_makes_the_requests_once(case, django_capture_on_commit_callbacks):
    row = "CL-1,north-east,ne-durham,private,child_arrangements,fca,2025-04-01,2025-04-02,2025-06-24,,{closed}\n"
    with django_capture_on_commit_callbacks(execute=True):
        import_csv("cases", (HEADER + row.format(closed="")).encode())
    assert made(case) == set()
    with django_capture_on_commit_callbacks(execute=True):
        import_csv("cases", (HEADER + row.format(closed="2025-07-01")).encode())
    assert made(case) == EXPECTED
    with django_capture_on_commit_callbacks(execute=True):
        import_csv("cases", (HEADER + row.format(closed="2025-07-03")).encode())
    assert FeedbackRequest.objects.filter(case=case).count() == 4


def test_a_dry_run_import_makes_no_requests(case, django_capture_on_commit_callbacks):
    row = "CL-1,north-east,ne-durham,private,child_arrangements,fca,2025-04-01,2025-04-02,2025-06-24,,2025-07-01\n"
    with django_capture_on_commit_callbacks(execute=True):
        import_csv("cases", (HEADER + row).encode(), dry_run=True)
    assert not FeedbackRequest.objects.exists()
    assert Case.objects.get(pk=case.pk).closed_on is None


def test_closing_on_the_case_page_makes_the_requests_once(
    client, case, practitioner, django_capture_on_commit_callbacks
):
    client.force_login(practitioner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/cases/CL-1/close/", {"closed_on": "2025-07-01"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Case.objects.get(pk=case.pk).closed_on == datetime.date(2025, 7, 1)
    assert made(case) == EXPECTED
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post("/cases/CL-1/close/", {"closed_on": "2025-07-02"})
    assert again.status_code == 200
    assert "already closed" in again.content.decode()
    assert FeedbackRequest.objects.filter(case=case).count() == 4


def test_closing_a_case_you_cannot_see_is_refused(client, case, colleague):
    client.force_login(colleague)
    assert client.post("/cases/CL-1/close/", {"closed_on": "2025-07-01"}).status_code == 404
    assert Case.objects.get(pk=case.pk).closed_on is None


def test_a_close_date_before_the_case_came_in_is_explained(client, case, practitioner):
    client.force_login(practitioner)
    response = client.post("/cases/CL-1/close/", {"closed_on": "2024-01-01"})
    assert response.status_code == 200
    assert "cannot be before the date the case was received" in response.content.decode()
    assert Case.objects.get(pk=case.pk).closed_on is None
