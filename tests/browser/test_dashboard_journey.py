"""Journey 2: a service manager opens the regional dashboard, drills into a team and downloads the table."""

import csv
import datetime
import io
from pathlib import Path

import pytest

from audits.tests.factories import CompletedAuditFactory
from dashboards.rollup import rollup_all

from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_service_manager_reads_the_regional_dashboard_drills_into_a_team_and_downloads_csv(
    page, live_server, service_manager, team, other_team
):
    # North East: 3 of 4 good or better in June 2025 (2 with family feedback); South West: 1 of 2.
    for i, grade in enumerate([4, 3, 3, 1]):
        CompletedAuditFactory(
            case__team=team, overall_grade=grade, completed_on=datetime.date(2025, 6, 3 + i), family_feedback=i < 2
        )
    for grade in [3, 2]:
        CompletedAuditFactory(case__team=other_team, overall_grade=grade, completed_on=datetime.date(2025, 6, 9))
    rollup_all()

    sign_in(page, live_server, service_manager)
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Dashboards").click()
    assert page.get_by_role("heading", level=1).inner_text() == "National dashboard"
    assert "Figures as of" in page.get_by_test_id("figures-as-of").inner_text()
    regions_table = page.locator("#table-regions")
    assert regions_table.get_by_role("link", name="North East").is_visible()
    assert regions_table.get_by_text("South West").count() == 0  # only their own region's row
    assert_accessible(page)

    regions_table.get_by_role("link", name="North East").click()
    assert page.get_by_role("heading", level=1).inner_text() == "North East"
    assert page.get_by_test_id("scope-audits").inner_text() == "4"
    assert page.get_by_test_id("scope-gob").inner_text().startswith("75% (")
    assert "50%" in page.get_by_test_id("scope-ff").inner_text()
    page.wait_for_function("document.querySelector('#chart-grades').dataset.drawn === 'true'")
    assert_accessible(page)
    Path("test-results").mkdir(exist_ok=True)
    page.screenshot(path="test-results/dashboard-region.png", full_page=True)

    # The period picker: the quarter April to June 2025 holds the same four audits.
    assert "Figures as of" in page.get_by_test_id("figures-as-of").inner_text()
    page.get_by_label("Period").select_option("2025-Q2")
    page.get_by_role("button", name="Show figures").click()
    assert "period=2025-Q2" in page.url
    assert page.locator(".govuk-caption-l").inner_text() == "April to June 2025"
    assert page.get_by_test_id("scope-audits").inner_text() == "4"

    page.locator("#table-teams").get_by_role("link", name="Durham").click()
    assert "period=2025-Q2" in page.url  # the drill-down keeps the period
    assert page.get_by_role("heading", level=1).inner_text() == "Durham team"
    assert page.get_by_test_id("scope-audits").inner_text() == "4"
    assert_accessible(page)

    with page.expect_download() as download_info:
        download_link = page.locator(".app-table-scroll:has(#table-compliance) + p")
        download_link.get_by_role("link", name="Download this table as CSV").click()
    download = download_info.value
    assert download.suggested_filename.endswith("-compliance.csv")
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text())))
    assert rows[0]["Team"] == "Durham"
    assert rows[0]["Audits completed in the period"] == "4"
    assert rows[0]["Good or better: numerator"] == "3"

    # A bad period in the address gets an error on the page, not a crash.
    page.goto(page.url.split("?")[0] + "?period=2025-13")
    assert page.get_by_role("alert").inner_text().startswith("There is a problem")
    assert_accessible(page)
