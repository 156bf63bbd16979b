"""A child opens a one-time link, answers in plain words, and is thanked; the pages pass axe-core."""

import pytest

from cases.tests.factories import CaseFactory
from feedback import services
from feedback.models import Feedback

from .conftest import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_child_gives_feedback_through_a_one_time_link(page, live_server, team, practitioner):
    case = CaseFactory(reference="BR-FB-1", team=team, practitioner=practitioner)
    _, token = services.feedback_request_create(case=case, respondent="child", by=practitioner)

    page.goto(f"{live_server.url}/f/{token}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Tell us what you think"
    assert_accessible(page)

    page.get_by_role("button", name="Send my answers").click()
    assert "Answer at least one question" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)

    page.get_by_label("9", exact=True).check()
    page.get_by_role("group", name="Did your worker listen to you and help you?").get_by_label("Yes").check()
    page.get_by_label("Is there anything else you want to tell us?").fill("She listened to me.")
    page.get_by_role("button", name="Send my answers").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Thank you"
    assert_accessible(page)

    feedback = Feedback.objects.get()
    assert (feedback.helpfulness, feedback.worker_helped, feedback.comments) == (9, True, "She listened to me.")

    page.goto(f"{live_server.url}/f/{token}/")
    assert "already been used" in page.locator("main").inner_text()
