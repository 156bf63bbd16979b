"""A manager goes from a region's % good or better to the team, to a practitioner behind on audits, to
the audit list behind that figure; axe on each page, and wide tables scroll in their own box at 390 px."""

import datetime

import pytest
from django.utils import timezone

from audits.tests.factories import CompletedAuditFactory
from dashboards.rollup import rollup_all
from organisation.tests.factories import UserFactory

from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_manager_drills_from_good_or_better_to_the_audits_of_a_practitioner_behind(
    page, live_server, service_manager, region, team
):
    today = timezone.localdate()
    this_month = today.replace(day=1)
    busy = UserFactory(username="busy", full_name="Bo Busy", team=team, region=region, roles=["practitioner"])
    late = UserFactory(username="late", full_name="Lou Late", team=team, region=region, roles=["practitioner"])
    # This month: Bo 8 audits (6 good or better), Lou 2 (1 good or better): the region 7 of 10.
    for i, grade in enumerate([4, 3, 3, 3, 3, 3, 2, 1]):
        CompletedAuditFactory(
            case__team=team,
            case__practitioner=busy,
            overall_grade=grade,
            completed_on=this_month + datetime.timedelta(days=i % max(1, today.day)),
        )
    for grade in (3, 2):
        CompletedAuditFactory(case__team=team, case__practitioner=late, overall_grade=grade, completed_on=this_month)
    rollup_all()

    sign_in(page, live_server, service_manager)
    page.goto(f"{live_server.url}/dashboards/regions/{region.code}/")
    assert page.get_by_role("heading", level=1).inner_text() == "North East"
    assert page.get_by_test_id("scope-gob").inner_text().startswith("70% (")
    assert "1 of 2 practitioners (50%)" in page.get_by_test_id("compliance-summary").inner_text()
    assert_accessible(page)

    # The region's good-or-better figure in the teams table opens the audits behind it ...
    teams = page.locator("#table-teams")
    gob_link = teams.get_by_role("link", name="70%")
    assert "grade=good_or_better" in gob_link.get_attribute("href")
    # ... and the team's name opens the team.
    teams.get_by_role("link", name="Durham").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Durham team"
    practitioners = page.locator("#table-practitioners")
    lou = practitioners.get_by_role("row").filter(has_text="Lou Late")
    assert "Behind" in lou.inner_text() and "6 short of the target" in lou.inner_text()
    assert_accessible(page)

    # The practitioner behind: their count opens the list of their audits, the same number.
    lou.get_by_role("link", name="2").click()
    assert "practitioner=late" in page.url
    assert page.get_by_text("2 audits match the filters.").is_visible()
    assert page.get_by_label("Practitioner").input_value() == "late"
    assert_accessible(page)

    # Back on the region page, the good-or-better figure lists exactly the 7 audits it counts.
    page.goto(f"{live_server.url}/dashboards/regions/{region.code}/")
    page.locator("#table-teams").get_by_role("link", name="70%").click()
    assert page.get_by_text("7 audits match the filters.").is_visible()
    assert_accessible(page)

    # On a phone, wide tables scroll inside their own box; the page itself does not scroll sideways.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/dashboards/regions/{region.code}/teams/{team.code}/")
    page_width = page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= 390, page_width
    box = page.locator(".app-table-scroll").filter(has=page.locator("#table-trend"))
    assert box.evaluate("el => el.scrollWidth > el.clientWidth")
    assert_accessible(page)
