"""A service manager reads the theme counts on the regional dashboard and opens the feedback behind one."""

import datetime

import pytest

from cases.tests.factories import CaseFactory
from dashboards.rollup import rollup_all
from feedback.models import Theme
from feedback.tests.factories import FeedbackFactory

from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_manager_follows_a_theme_count_to_the_tagged_feedback(page, live_server, service_manager, team, other_team):
    delay, listening = Theme.objects.create(name="Delay"), Theme.objects.create(name="Listening")
    june = datetime.date(2025, 6, 10)
    for themes in ([delay], [delay, listening], []):
        FeedbackFactory(case=CaseFactory(team=team), received_on=june).themes.set(themes)
    FeedbackFactory(case=CaseFactory(team=other_team), received_on=june).themes.set([delay])
    rollup_all()

    sign_in(page, live_server, service_manager)
    page.goto(f"{live_server.url}/dashboards/regions/{team.region.code}/?period=2025-06")
    table = page.locator("#table-themes")
    assert table.locator("caption").inner_text().startswith("Themes in feedback")
    delay_row = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Delay"))
    assert delay_row.get_by_role("cell").all_inner_texts() == ["2", "3"]  # North East, national
    assert_accessible(page)

    delay_row.get_by_role("link", name="2").click()
    assert "Theme: Delay" in page.get_by_test_id("feedback-drill").inner_text()
    assert page.locator("tbody tr").count() == 2
    assert_accessible(page)
