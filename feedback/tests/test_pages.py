"""The feedback list, recording feedback, and making links: who may, and constant queries."""

import datetime

import pytest

from cases.tests.factories import CaseFactory
from feedback.models import Feedback, FeedbackRequest
from organisation.calendar import add_working_days

from .factories import FeedbackFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def feedback(team, other_team, practitioner, colleague):
    return {
        "mine": FeedbackFactory(case=CaseFactory(reference="F-MINE", team=team, practitioner=practitioner)),
        "colleague": FeedbackFactory(case=CaseFactory(reference="F-COL", team=team, practitioner=colleague)),
        "elsewhere": FeedbackFactory(case=CaseFactory(reference="F-ELSE", team=other_team), comments="elsewhere"),
    }


def listed(client, user):
    client.force_login(user)
    response = client.get("/feedback/")
    assert response.status_code == 200
    return {f.case.reference for f in response.context["page"] if f.case}


def test_manager_sees_their_region_only(client, service_manager, feedback):
    assert listed(client, service_manager) == {"F-MINE", "F-COL"}


def test_practitioner_sees_feedback_on_their_own_cases(client, practitioner, feedback):
    assert listed(client, practitioner) == {"F-MINE"}


def test_board_member_cannot_open_feedback(client, board_member, feedback):
    client.force_login(board_member)
    assert client.get("/feedback/").status_code == 403


def test_the_list_runs_the_same_queries_for_few_and_many(client, service_manager, team, django_assert_max_num_queries):
    client.force_login(service_manager)
    FeedbackFactory.create_batch(3, case=CaseFactory(team=team))
    with django_assert_max_num_queries(8) as few:
        client.get("/feedback/")
    FeedbackFactory.create_batch(40, case=CaseFactory(team=team))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/feedback/")


def test_an_unknown_kind_filter_is_explained_not_a_500(client, service_manager, feedback):
    client.force_login(service_manager)
    response = client.get("/feedback/?kind=nonsense", follow=True)
    assert response.status_code == 200
    assert "not one we know" in response.content.decode()


def test_a_complaint_gets_deadlines_in_working_days(client, service_manager, team):
    CaseFactory(reference="F-COMPLAINT", team=team)
    client.force_login(service_manager)
    response = client.post(
        "/feedback/new/?audience=parent_carer",
        {
            "case_reference": "F-COMPLAINT",
            "channel": "phone",
            "kind": "complaint",
            "received_on": "2025-04-17",  # the Thursday before Easter 2025
            "anything_else": "Nobody called me back",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    complaint = Feedback.objects.get()
    # Working days after Thu 17 April 2025: Good Friday 18th and Easter Monday 21st are bank holidays,
    # so Tue 22, Wed 23, Thu 24 → acknowledge by 24 April.
    assert complaint.acknowledge_by == datetime.date(2025, 4, 24)
    # 15 working days: 22-25 April (4), 28 April-2 May (9), 6-9 May (13; Mon 5 May is a bank holiday),
    # 12-13 May (15) → respond by Tue 13 May.
    assert complaint.respond_by == datetime.date(2025, 5, 13)
    assert complaint.comments == "Nobody called me back"
    assert complaint.complaint_stage == 1
    assert complaint.region == team.region


def test_add_working_days_skips_the_may_bank_holiday():
    # Fri 2 May 2025 + 1 working day: Mon 5 May is the Early May bank holiday → Tue 6 May.
    assert add_working_days(datetime.date(2025, 5, 2), 1) == datetime.date(2025, 5, 6)


def test_recording_against_a_case_you_cannot_see_is_refused(client, service_manager, other_team):
    CaseFactory(reference="F-HIDDEN", team=other_team)
    client.force_login(service_manager)
    response = client.post(
        "/feedback/new/?audience=judge",
        {
            "case_reference": "F-HIDDEN",
            "channel": "paper",
            "kind": "feedback",
            "received_on": "2025-04-01",
            "helpfulness": "5",
        },
    )
    assert response.status_code == 200
    assert "no case with that reference that you can see" in response.content.decode()
    assert not Feedback.objects.exists()


def test_a_practitioner_makes_a_one_time_link_for_their_case(client, practitioner, team):
    CaseFactory(reference="F-LINK", team=team, practitioner=practitioner)
    client.force_login(practitioner)
    response = client.post("/feedback/request/F-LINK/", {"audience": "child"})
    assert response.status_code == 200
    url = response.context["url"]
    assert "/f/" in url
    client.logout()
    assert client.get(url.split("testserver")[1]).status_code == 200
    assert FeedbackRequest.objects.count() == 1


def test_a_link_for_another_practitioners_case_is_refused(client, practitioner, colleague, team):
    CaseFactory(reference="F-NOT-MINE", team=team, practitioner=colleague)
    client.force_login(practitioner)
    assert client.post("/feedback/request/F-NOT-MINE/", {"audience": "child"}).status_code == 404
    assert not FeedbackRequest.objects.exists()
