"""Framework messages ("This field is required.", "day is out of range for month") never reach a
page: each form says what to do, in the GOV.UK way."""

import pytest
from django.urls import reverse

from audits.tests.factories import CompletedAuditFactory
from cases.tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

FRAMEWORK = ("This field is required", "out of range", "Enter a valid date", "Select a valid choice")


def assert_no_framework_message(html: str) -> None:
    for text in FRAMEWORK:
        assert text not in html, text


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("31", "2", "2030", "By when must be a real date, for example 27 3 2027"),
        ("", "", "", "Enter by when: the day, month and year"),
        ("x", "3", "2030", "Enter the day as a number, for example 27"),
        ("1", "3", "99999", "Enter the year as four digits, for example 2027"),
    ],
)
def test_learning_action_dates_get_govuk_messages(client, auditor, practitioner, team, day, month, year, message):
    audit = CompletedAuditFactory(case__team=team, case__practitioner=practitioner, auditor=auditor)
    client.force_login(auditor)
    response = client.post(
        reverse("audits:learning_action_new", args=[audit.pk]),
        {"description": "Read the guidance", "due_on_0": day, "due_on_1": month, "due_on_2": year},
    )
    html = response.content.decode()
    assert "There is a problem" in html and message in html
    assert_no_framework_message(html)
    assert not audit.learning_actions.exists()


def test_recording_feedback_with_nothing_filled_in_says_what_to_enter(client, service_manager, team):
    client.force_login(service_manager)
    html = client.post(reverse("feedback:record") + "?audience=parent_carer", {}).content.decode()
    assert "Enter the case reference, for example NE-0001" in html
    assert "Select how the feedback reached us" in html and "Enter the date the feedback was received" in html
    assert_no_framework_message(html)


def test_a_feedback_link_needs_someone_to_be_for(client, service_manager, team):
    case = CaseFactory(team=team)
    client.force_login(service_manager)
    html = client.post(reverse("feedback:request", args=[case.reference]), {}).content.decode()
    assert "Select who the link is for" in html
    assert_no_framework_message(html)
