"""Complaints in the app: deadlines in working days across bank holidays, who may handle them, the
steps received → acknowledged → responded with an outcome, and the work-list selector."""

import datetime

import pytest
import time_machine

from cases.tests.factories import CaseFactory
from feedback import services
from feedback.models import Feedback
from feedback.selectors import complaints_due_for

pytestmark = pytest.mark.django_db

TODAY = datetime.datetime(2026, 1, 20, 12, tzinfo=datetime.UTC)


def complaint(team, received_on, **fields):
    case = CaseFactory(team=team)
    return services.feedback_record(
        by=None,
        case=case,
        respondent="parent_carer",
        channel="phone",
        kind="complaint",
        received_on=received_on,
        comments=fields.pop("comments", "Nobody called me back"),
        **fields,
    )


def test_deadlines_skip_christmas_and_new_year(team):
    made = complaint(team, datetime.date(2025, 12, 23))
    # Acknowledge in 3 working days: Wed 24 Dec, (25 and 26 Dec bank holidays), Mon 29, Tue 30 Dec.
    assert made.acknowledge_by == datetime.date(2025, 12, 30)
    # Respond in 15: 24, 29, 30, 31 Dec (4), (1 Jan bank holiday) 2 Jan (5), 5-9 Jan (10), 12-16 Jan (15).
    assert made.respond_by == datetime.date(2026, 1, 16)


def test_deadlines_skip_a_weekend(team):
    made = complaint(team, datetime.date(2025, 6, 6))  # a Friday
    assert made.acknowledge_by == datetime.date(2025, 6, 11)  # Mon 9, Tue 10, Wed 11


def listed(client, user):
    client.force_login(user)
    response = client.get("/feedback/complaints/?show=all")
    return response.status_code, {c.comments for c in response.context["rows"]} if response.status_code == 200 else None


def test_managers_see_their_regions_complaints_and_admins_all(
    client, team, other_team, service_manager, other_manager, quality_admin, practitioner
):
    complaint(team, datetime.date(2025, 6, 2), comments="here")
    complaint(other_team, datetime.date(2025, 6, 2), comments="there")
    assert listed(client, service_manager) == (200, {"here"})
    assert listed(client, other_manager) == (200, {"there"})
    assert listed(client, quality_admin) == (200, {"here", "there"})
    assert listed(client, practitioner)[0] == 403


def test_the_list_runs_the_same_queries_for_few_and_many(client, team, service_manager, django_assert_max_num_queries):
    client.force_login(service_manager)
    for _ in range(2):
        complaint(team, datetime.date(2025, 6, 2))
    with django_assert_max_num_queries(10) as few:
        client.get("/feedback/complaints/")
    for _ in range(15):
        complaint(team, datetime.date(2025, 6, 3))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/feedback/complaints/")


def test_an_outsider_cannot_open_a_complaint(client, team, other_manager):
    made = complaint(team, datetime.date(2025, 6, 2))
    client.force_login(other_manager)
    assert client.get(f"/feedback/complaints/{made.pk}/").status_code == 404


@time_machine.travel(TODAY)
def test_a_manager_acknowledges_then_responds_with_an_outcome(client, team, service_manager):
    made = complaint(team, datetime.date(2026, 1, 5))
    client.force_login(service_manager)
    url = f"/feedback/complaints/{made.pk}/"
    response = client.post(url, {"owner": service_manager.pk, "acknowledged_on": "2026-01-06"})
    assert response.status_code == 302, response.content.decode()[:3000]
    made.refresh_from_db()
    assert (made.acknowledged_on, made.complaint_owner) == (datetime.date(2026, 1, 6), service_manager)

    # A response with no outcome and no text is refused, and nothing is half-saved.
    refused = client.post(url, {"acknowledged_on": "2026-01-06", "responded_on": "2026-01-19"})
    assert refused.status_code == 200
    html = refused.content.decode()
    assert "Choose the outcome" in html and "Enter the response" in html
    made.refresh_from_db()
    assert made.responded_on is None

    done = client.post(
        url,
        {
            "owner": service_manager.pk,
            "acknowledged_on": "2026-01-06",
            "responded_on": "2026-01-19",
            "outcome": "partly_upheld",
            "response": "We are sorry <b>nobody</b> called back.",
            "learning_note": "Return calls within 2 working days.",
        },
    )
    assert done.status_code == 302
    made.refresh_from_db()
    assert (made.outcome, made.responded_on) == ("partly_upheld", datetime.date(2026, 1, 19))
    assert made.history.count() >= 3
    page = client.get(url).content.decode()
    assert "&lt;b&gt;nobody&lt;/b&gt;" in page


@time_machine.travel(TODAY)
def test_a_response_date_in_the_future_is_refused(client, team, service_manager):
    made = complaint(team, datetime.date(2026, 1, 5))
    client.force_login(service_manager)
    response = client.post(f"/feedback/complaints/{made.pk}/", {"acknowledged_on": "2026-02-01"})
    assert response.status_code == 200
    assert "between the day the complaint came in and today" in response.content.decode()


@time_machine.travel(TODAY)
def test_complaints_due_lists_the_next_step_soonest_first_with_overdue_ones_tagged(team, other_team, service_manager):
    late = complaint(team, datetime.date(2026, 1, 5))  # acknowledge by Thu 8 Jan: overdue on the 20th
    acknowledged = complaint(team, datetime.date(2026, 1, 14))
    Feedback.objects.filter(pk=acknowledged.pk).update(acknowledged_on=datetime.date(2026, 1, 15))
    fresh = complaint(team, datetime.date(2026, 1, 19))  # acknowledge by Thu 22 Jan
    answered = complaint(team, datetime.date(2026, 1, 2))
    Feedback.objects.filter(pk=answered.pk).update(
        acknowledged_on=datetime.date(2026, 1, 5), responded_on=datetime.date(2026, 1, 9), outcome="not_upheld"
    )
    complaint(other_team, datetime.date(2026, 1, 5))  # another region's

    due = complaints_due_for(user=service_manager)
    assert [(c.pk, c.next_step, c.due_on, c.overdue) for c in due] == [
        (late.pk, "Acknowledge", datetime.date(2026, 1, 8), True),
        (fresh.pk, "Acknowledge", datetime.date(2026, 1, 22), False),
        # 15 working days from Wed 14 Jan: 15, 16, 19-23, 26-30 Jan, 2, 3, 4 Feb → Wed 4 Feb.
        (acknowledged.pk, "Respond", datetime.date(2026, 2, 4), False),
    ]
