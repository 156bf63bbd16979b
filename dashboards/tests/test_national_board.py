"""The national page for the board: KPIs 1–4 by region, weakest criteria, moderation, the exceptions
list, comparisons in words with the test named, and the chart's national and target lines with gaps."""

import datetime
import json
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils.html import escape

from audits.models import AuditTemplate, Judgement
from audits.tests.factories import CompletedAuditFactory
from cases.models import ApplicationType, LawType
from cases.tests.factories import CaseFactory
from dashboards import board
from dashboards.rollup import rollup_all
from organisation.tests.factories import UserFactory

from .helpers import make_audits

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2025, 7, 20, 12, tzinfo=datetime.UTC)
JUNE = datetime.date(2025, 6, 2)  # a Monday


def _care(team, received, allocated):
    return CaseFactory(
        team=team,
        law_type=LawType.PUBLIC,
        application_type=ApplicationType.S31_CARE,
        received_on=received,
        allocated_on=allocated,
    )


@pytest.fixture
def world(team, other_team):
    # KPI 2: Durham 4 working days (Mon 2 June -> Fri 6 June) on one case and 2 on another = 3.0 -> exception;
    # Bristol 1 working day -> none.
    _care(team, JUNE, datetime.date(2025, 6, 6))
    _care(team, JUNE, datetime.date(2025, 6, 4))
    _care(other_team, JUNE, datetime.date(2025, 6, 3))
    # A practitioner with no audits is behind; audits in June only, none in May (a gap in the chart).
    UserFactory(username="late", full_name="Lou Late", team=team, roles=["practitioner"])
    make_audits(team, JUNE, [3, 3, 2])
    make_audits(other_team, JUNE, [2])
    make_audits(team, datetime.date(2025, 4, 2), [4])
    # A criterion at 1 of 4 good or better nationally (25%): below 60%.
    template = AuditTemplate.objects.get(slug="standard", is_current=True)
    wishes = template.criteria.get(code="wishes-feelings")
    for g in (3, 2, 2, 1):
        audit = CompletedAuditFactory(case__team=team, template=template, overall_grade=max(g, 2), completed_on=JUNE)
        Judgement.objects.create(audit=audit, criterion=wishes, grade=g)
    rollup_all()
    return wishes


@time_machine.travel(NOW, tick=False)
def test_exceptions_list_slow_teams_practitioners_behind_and_weak_criteria(client, board_member, team, world):
    client.force_login(board_member)
    page = client.get(reverse("dashboards:national"), {"period": "2025-06"})
    rows = [[c.text for c in r] for r in page.context["tables"]["exceptions"].rows]
    slow = [r for r in rows if r[0].startswith("Care cases take 3 working days")]
    assert slow == [[slow[0][0], "Durham (North East)", "3.0 days (2 cases)"]]
    behind = [r for r in rows if r[0] == "Practitioners behind on audits"]
    assert "North East" in [r[1] for r in behind]
    weak = [r for r in rows if r[1] == world.text]
    assert weak and weak[0][2] == "25% (1 of 4)"


@time_machine.travel(NOW, tick=False)
def test_kpis_by_region_weakest_criteria_moderation_and_the_comparison_test(client, board_member, world):
    client.force_login(board_member)
    page = client.get(reverse("dashboards:national"), {"period": "2025-06"})
    operational = page.context["tables"]["operational"]
    assert [r[0].text for r in operational.rows] == ["North East", "South West", "National (all regions)"]
    assert operational.rows[-1][2].text == "2.3 days (3 cases)"  # (4 + 2 + 1) / 3
    assert page.context["tables"]["criteria"].rows
    body = page.content.decode()
    assert escape(board.COMPARISON_TEST) in body and "Wilson" in board.COMPARISON_TEST
    assert "Moderation agreement" in body
    words = {r[0].text: r[-2].text for r in page.context["tables"]["regions"].rows}
    assert set(words.values()) <= {"Higher", "Lower", "Not different", "–"}


@time_machine.travel(NOW, tick=False)
def test_region_chart_carries_national_and_target_lines_with_gaps(client, service_manager, region, world):
    client.force_login(service_manager)
    body = client.get(reverse("dashboards:region", args=[region.code]), {"period": "2025-06"}).content.decode()
    data = json.loads(re.search(r'<script id="chart-data" type="application/json">(.*?)</script>', body, re.S)[1])
    assert data["labels"][-1] == "Jun 2025" and len(data["labels"]) == 12
    assert data["target_pct"] == board.target_pct()
    may, april = data["labels"].index("May 2025"), data["labels"].index("Apr 2025")
    assert data["good_or_better_pct"][may] is None and data["national_pct"][may] is None  # a gap, not a zero
    assert data["good_or_better_pct"][april] == 100.0
    # June nationally: 2 of 4 plain audits + 2 of 4 graded on the criterion (3, 2, 2, 2 overall) = 3 of 8
    assert data["national_pct"][-1] == round(100 * 3 / 8, 1)
