"""A practitioner closes a case, hands over the child's link (copy button, printable letter whose QR code,
read from a real screenshot, opens the link); a manager handles a complaint. axe on each page."""

import datetime
import io

import pytest
from playwright.sync_api import expect

from cases.tests.factories import CaseFactory, ChildFactory
from feedback import services

from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_practitioner_closes_a_case_and_hands_over_the_childs_link(browser, live_server, team, practitioner):
    import zxingcpp
    from PIL import Image

    case = CaseFactory(reference="BR-HO-1", team=team, practitioner=practitioner)
    ChildFactory(case=case, label="Child A", age_band="5-9")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in(page, live_server, practitioner)
        page.goto(f"{live_server.url}/cases/BR-HO-1/close/")
        assert_accessible(page)
        page.get_by_label("Date the case closed").fill(datetime.date.today().isoformat())
        page.get_by_role("button", name="Close the case").click()

        page.get_by_role("link", name="Hand over the link for Child A").click()
        assert page.get_by_role("heading", level=1).inner_text() == "Ask Child A for feedback"
        assert_accessible(page)
        page.get_by_role("button", name="Show the link and a letter to print").click()

        url = page.get_by_test_id("feedback-link").inner_text().strip()
        assert url.startswith(f"{live_server.url}/f/")
        copy = page.get_by_role("button", name="Copy link")
        assert copy.is_visible()  # shown by the script; hidden without JavaScript
        copy.click()
        expect(page.locator("#copy-status")).to_have_text("Link copied.")  # the copy is asynchronous
        assert page.evaluate("navigator.clipboard.readText()") == url
        assert_accessible(page)

        shot = page.get_by_test_id("feedback-qr").screenshot()
        [found] = zxingcpp.read_barcodes(Image.open(io.BytesIO(shot)))
        assert found.text == url

        page.emulate_media(media="print")
        assert not page.get_by_role("button", name="Copy link").is_visible()
        assert page.locator(".app-letter").is_visible()
    finally:
        context.close()


def test_a_manager_handles_a_complaint(page, live_server, team, service_manager):
    complaint = services.feedback_record(
        by=None,
        case=CaseFactory(team=team),
        respondent="parent_carer",
        channel="phone",
        kind="complaint",
        received_on=datetime.date.today(),
        comments="Nobody called me back.",
    )
    sign_in(page, live_server, service_manager)
    page.goto(f"{live_server.url}/feedback/complaints/")
    assert_accessible(page)
    page.goto(f"{live_server.url}/feedback/complaints/{complaint.pk}/")
    assert_accessible(page)
    page.get_by_label("Acknowledged on").fill(datetime.date.today().isoformat())
    page.get_by_label("Responded on").fill(datetime.date.today().isoformat())
    page.get_by_role("button", name="Save complaint").click()
    assert "Choose the outcome" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
