"""Drill-down: every count and percentage a dashboard links leads to the audit list filtered the same
way, and that list holds exactly as many audits as the figure counts."""

import datetime
import random
import re
from urllib.parse import parse_qs, urlparse

import pytest
import time_machine
from django.urls import reverse

from audits.tests.factories import CompletedAuditFactory
from cases.tests.factories import CaseFactory
from dashboards.rollup import rollup_all
from feedback.tests.factories import FeedbackFactory
from organisation.tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2025, 11, 20, 12, tzinfo=datetime.UTC)


@pytest.fixture
def world(region, team, other_team):
    """Audits over several months, grades and teams, two of them of one practitioner's work."""
    rng = random.Random(21)
    tees = TeamFactory(code="ne-tees", name="Teesside", region=region)
    fca = UserFactory(username="fca-drill", full_name="Dee Drill", team=team, roles=["practitioner"])
    for t in (team, tees, other_team):
        for _ in range(14):
            day = datetime.date(2025, rng.choice([6, 7, 8, 11]), rng.randint(1, 28))
            CompletedAuditFactory(case__team=t, overall_grade=rng.choice([1, 2, 3, 4]), completed_on=day)
    for t in (team, tees, other_team):
        case = CaseFactory(team=t)
        for _ in range(9):
            day = datetime.date(2025, rng.choice([6, 7, 9]), rng.randint(1, 28))
            FeedbackFactory(case=case, respondent=rng.choice(["child", "judge", "parent_carer"]), received_on=day)
    for day in (datetime.date(2025, 7, 3), datetime.date(2025, 2, 3)):
        CompletedAuditFactory(case__team=team, case__practitioner=fca, overall_grade=3, completed_on=day)
    rollup_all()


def _figure(cell) -> int:
    match = re.match(r"(\d+) of \d+", cell.note or "")
    return int(match[1]) if match else int(cell.text)


def _listed(client, href) -> int:
    listed = client.get(href)
    assert listed.status_code == 200, (href, listed.context.get("errors"))
    if href.startswith(reverse("feedback:list")):
        return listed.context["summary"]["total"]
    return listed.context["page"].paginator.count


def _check_links(client, response):
    checked = 0
    for table in response.context["tables"].values():
        for row in table.rows:
            for cell in row:
                if not cell.href.startswith((reverse("audits:list"), reverse("feedback:list"))):
                    continue
                assert _listed(client, cell.href) == _figure(cell), (table.key, cell.text, cell.href)
                checked += 1
    return checked


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("period", ["2025-07", "2025-Q3", "FY2025"])
def test_region_and_team_figures_link_to_exactly_their_audits(client, service_manager, region, team, world, period):
    client.force_login(service_manager)
    region_page = client.get(reverse("dashboards:region", args=[region.code]), {"period": period})
    team_page = client.get(reverse("dashboards:team", args=[region.code, team.code]), {"period": period})
    assert _check_links(client, region_page) > 10
    assert _check_links(client, team_page) > 10
    feedback_links = [
        c.href for t in team_page.context["tables"].values() for r in t.rows for c in r if "/feedback/" in c.href
    ]
    assert feedback_links


@time_machine.travel(NOW, tick=False)
def test_a_practitioners_count_links_to_their_audits(client, service_manager, region, team, world):
    client.force_login(service_manager)
    page = client.get(reverse("dashboards:team", args=[region.code, team.code]), {"period": "2025-11"})
    row = next(r for r in page.context["tables"]["practitioners"].rows if r[0].text == "Dee Drill")
    assert row[2].text == "2"
    query = parse_qs(urlparse(row[2].href).query)
    assert query["practitioner"] == ["fca-drill"] and query["completed_from"] == ["2024-12"]
    assert client.get(row[2].href).context["page"].paginator.count == 2


@time_machine.travel(NOW, tick=False)
def test_national_figures_link_for_a_quality_admin_and_not_for_the_board(client, quality_admin, board_member, world):
    client.force_login(quality_admin)
    assert _check_links(client, client.get(reverse("dashboards:national"), {"period": "2025-Q3"})) > 10
    client.force_login(board_member)
    page = client.get(reverse("dashboards:national"), {"period": "2025-Q3"})
    assert reverse("audits:list") not in page.content.decode()


def test_the_audit_list_reports_a_bad_month_filter_and_still_renders(client, service_manager, world):
    client.force_login(service_manager)
    response = client.get(
        reverse("audits:list"), {"section": "region", "completed_from": "2025-13", "grade": "best", "template": "x"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Enter a month as YYYY-MM" in body and "Choose a grade from the list." in body
    response = client.get(
        reverse("audits:list"), {"section": "region", "completed_from": "2025-08", "completed_to": "2025-07"}
    )
    assert response.status_code == 400
