"""On a phone (390 px wide): a child answers through a one-time link, one question per page with the
picture scale, checks the answers and is thanked; a judge's link asks the judge's questions. The
pages pass axe-core, and none is wider than the screen."""

import pytest

from cases.tests.factories import CaseFactory
from feedback import services
from feedback.models import Answer, Feedback

from .conftest import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def check_page(page):
    assert page.get_by_test_id("service-name").inner_text() == "Tell us how we did"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "the page scrolls sideways on a phone"
    assert_accessible(page)


def test_a_child_answers_on_a_phone_with_the_picture_scale(phone, live_server, team, practitioner):
    case = CaseFactory(reference="BR-FB-1", team=team, practitioner=practitioner)
    _, token = services.feedback_request_create(case=case, audience="child", by=practitioner)
    page = phone

    page.goto(f"{live_server.url}/f/{token}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Tell us how we did"
    assert "BR-FB-1" not in page.content()
    check_page(page)
    page.get_by_role("button", name="Start").click()

    assert page.get_by_role("heading", level=1).inner_text() == "Did your worker listen to you?"
    faces = page.locator("img.app-face")
    assert faces.count() == 3 and faces.first.bounding_box()["width"] >= 48
    check_page(page)
    page.get_by_label("Happy").check()
    page.get_by_role("button", name="Continue").click()

    assert page.get_by_role("heading", level=1).inner_text() == "Did your worker help you?"
    page.get_by_label("In between").check()
    page.get_by_role("button", name="Continue").click()

    assert "understand" in page.get_by_role("heading", level=1).inner_text()
    page.get_by_role("button", name="Continue").click()  # skipped

    page.get_by_label("Is there anything else you want to tell us?").fill("She listened to me.")
    check_page(page)
    page.get_by_role("button", name="Continue").click()

    assert page.get_by_role("heading", level=1).inner_text() == "Check your answers before sending them"
    summary = page.locator(".govuk-summary-list").inner_text()
    assert "Happy" in summary and "In between" in summary and "Not answered" in summary
    check_page(page)
    page.get_by_role("button", name="Send my answers").click()

    assert page.get_by_role("heading", level=1).inner_text() == "Thank you"
    check_page(page)
    feedback = Feedback.objects.get()
    assert (feedback.respondent, feedback.worker_helped, feedback.comments) == ("child", None, "She listened to me.")
    assert dict(Answer.objects.values_list("question__code", "value")) == {
        "listened": "happy",
        "helped": "in_between",
        "anything_else": "She listened to me.",
    }

    page.goto(f"{live_server.url}/f/{token}/")
    assert "already been used" in page.locator("main").inner_text()
    check_page(page)


def test_a_judges_link_asks_the_judges_questions(phone, live_server, team, practitioner):
    case = CaseFactory(reference="BR-FB-2", team=team, practitioner=practitioner)
    _, token = services.feedback_request_create(case=case, audience="judge", by=practitioner)
    page = phone

    page.goto(f"{live_server.url}/f/{token}/")
    check_page(page)
    page.get_by_role("button", name="Start").click()
    main = page.locator("main").inner_text()
    assert "Was our report filed on time?" in main
    assert "Did your worker listen to you?" not in main and "Pick the face" not in main
    check_page(page)

    page.get_by_role("group", name="Was our report filed on time?").get_by_label("No", exact=True).check()
    page.get_by_role("group", name="How helpful was our analysis").get_by_label("8", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    check_page(page)
    page.get_by_role("button", name="Send my answers").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Thank you"
    feedback = Feedback.objects.get()
    assert (feedback.respondent, feedback.helpfulness) == ("judge", 8)


def test_the_privacy_notice_and_accessibility_statement(phone, live_server):
    for path, heading in [("/f/privacy/", "Privacy notice"), ("/f/accessibility/", "Accessibility statement")]:
        phone.goto(f"{live_server.url}{path}")
        assert phone.get_by_role("heading", level=1).inner_text() == heading
        check_page(phone)
