"""Signing in lands on a home page styled by GOV.UK Frontend, and it passes axe-core."""

from pathlib import Path

import pytest

from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_sign_in_page_and_home_page_are_styled_and_accessible(page, live_server, service_manager):
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    assert_accessible(page)

    sign_in(page, live_server, service_manager)

    assert page.get_by_role("heading", level=1).inner_text().startswith("Welcome")
    # The GOV.UK stylesheet was served and applied: GDS Transport font stack and body margin reset.
    font = page.evaluate("getComputedStyle(document.querySelector('.govuk-heading-xl')).fontFamily")
    assert "GDS Transport" in font
    css_status = page.evaluate("fetch(document.querySelector('link[href*=govuk-frontend]').href).then(r => r.status)")
    assert css_status == 200
    nav = page.get_by_role("navigation", name="Main navigation")
    assert nav.get_by_role("link", name="Dashboards").is_visible()
    assert nav.get_by_role("link", name="Admin").count() == 0
    assert_accessible(page)
    Path("test-results").mkdir(exist_ok=True)
    page.screenshot(path="test-results/home.png", full_page=True)


def test_sign_in_with_a_wrong_password_shows_an_error_summary(page, live_server, practitioner):
    sign_in(page, live_server, practitioner, password="not-the-password")
    assert page.get_by_role("alert").inner_text().startswith("There is a problem")
    assert_accessible(page)
