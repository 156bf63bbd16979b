"""A service manager filters the caseload, sorts it and opens a case; every page passes axe-core."""

import datetime
from pathlib import Path

import pytest

from cases.models import ApplicationType, LawType
from cases.tests.factories import CaseFactory, ChildFactory

from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_service_manager_filters_sorts_and_opens_a_case(page, live_server, service_manager, practitioner, other_team):
    care = CaseFactory(
        reference="BR-CARE",
        team=practitioner.team,
        practitioner=practitioner,
        law_type=LawType.PUBLIC,
        application_type=ApplicationType.S31_CARE,
        received_on=datetime.date(2025, 4, 17),
        allocated_on=datetime.date(2025, 4, 22),
        report_due_on=None,
    )
    ChildFactory(case=care, label="Child A", ethnicity="White: Irish", disability="None known")
    CaseFactory(reference="BR-PRIV", team=practitioner.team, practitioner=practitioner)
    CaseFactory(reference="BR-AWAY", team=other_team, practitioner=None, allocated_on=None)

    sign_in(page, live_server, service_manager)
    page.goto(f"{live_server.url}/cases/")
    table = page.get_by_test_id("case-table")
    assert "BR-CARE" in table.inner_text() and "BR-PRIV" in table.inner_text()
    assert "BR-AWAY" not in page.content()
    assert_accessible(page)

    page.get_by_label("Law type").select_option("public")
    page.get_by_role("button", name="Apply filters").click()
    assert "BR-PRIV" not in page.get_by_test_id("case-table").inner_text()
    page.get_by_role("link", name="Reference").click()
    assert "sort=reference" in page.url and "law_type=public" in page.url
    assert_accessible(page)
    Path("test-results").mkdir(exist_ok=True)
    page.screenshot(path="test-results/case-list.png", full_page=True)

    page.get_by_role("link", name="BR-CARE").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Case BR-CARE")
    assert "1 working day after it was received" in page.get_by_test_id("case-summary").inner_text()
    assert "White: Irish" in page.get_by_test_id("children").inner_text()
    assert_accessible(page)
    page.screenshot(path="test-results/case-detail.png", full_page=True)


def test_a_bad_filter_value_shows_a_govuk_error(page, live_server, service_manager):
    sign_in(page, live_server, service_manager)
    page.goto(f"{live_server.url}/cases/?region=south-west")
    assert page.get_by_role("alert").inner_text().startswith("There is a problem")
    assert_accessible(page)
