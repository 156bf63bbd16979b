"""Practitioner compliance: audits in a rolling 12 months against each person's own target, the share
of practitioners on course (never above 100%), and no future months on the pages."""

import csv
import datetime
import io

import pytest
import time_machine
from django.urls import reverse

from audits.tests.factories import CompletedAuditFactory
from dashboards.rollup import rollup_all
from organisation.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 11, 20)


def _audits(team, practitioner, days):
    for day in days:
        CompletedAuditFactory(case__team=team, case__practitioner=practitioner, overall_grade=3, completed_on=day)


def _months_back(n):
    """One day in each of the n months up to November 2025."""
    out = []
    year, month = 2025, 11
    for _ in range(n):
        out.append(datetime.date(year, month, 5))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out


@pytest.fixture
def people(team):
    """Expected by hand: busy (20 audits in 12 months) on course; eight (8) on course; seven (7 in the
    window, 1 more 13 months ago) behind by 1; collab (4, target 4) on course; none behind by 8."""
    busy = UserFactory(username="busy", full_name="Bo Busy", team=team, roles=["practitioner"])
    eight = UserFactory(username="eight", full_name="Ed Eight", team=team, roles=["practitioner"])
    seven = UserFactory(username="seven", full_name="Sue Seven", team=team, roles=["practitioner"])
    collab = UserFactory(
        username="collab", full_name="Cal Collab", team=team, roles=["practitioner"], collaborative_feedback=True
    )
    none = UserFactory(username="none", full_name="Nia None", team=team, roles=["practitioner"])
    _audits(team, busy, _months_back(10) * 2)
    _audits(team, eight, _months_back(8))
    _audits(team, seven, [*_months_back(7), datetime.date(2024, 10, 5)])
    _audits(team, collab, _months_back(4))
    rollup_all()
    return {"busy": busy, "eight": eight, "seven": seven, "collab": collab, "none": none}


def _csv(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return list(csv.DictReader(io.StringIO(response.content.decode())))


@time_machine.travel(datetime.datetime(2025, 11, 20, 12, tzinfo=datetime.UTC), tick=False)
def test_each_practitioner_is_on_course_or_behind_against_their_own_target(
    client, service_manager, region, team, people
):
    client.force_login(service_manager)
    url = reverse("dashboards:team", args=[region.code, team.code])
    rows = {r["Practitioner"]: r for r in _csv(client, url + "?period=2025-11&format=csv&table=practitioners")}
    expected = {
        "Bo Busy": ("8", "20", "On course"),
        "Ed Eight": ("8", "8", "On course"),
        "Sue Seven": ("8", "7", "Behind"),
        "Cal Collab": ("4", "4", "On course"),
        "Nia None": ("8", "0", "Behind"),
    }
    for name, (target, audits, status) in expected.items():
        row = rows[name]
        assert (row["Target"], row["Audits in the rolling 12 months"], row["Status"]) == (target, audits, status)
    # The team: 3 of 5 on course = 60%, whatever the 20 audits of one person would make of a ratio of audits.
    team_row = _csv(client, url + "?period=2025-11&format=csv&table=compliance")[0]
    assert team_row["Practitioners on course"] == "60.0"
    assert team_row["Practitioners on course: numerator"] == "3"
    assert team_row["Practitioners on course: denominator"] == "5"


@time_machine.travel(datetime.datetime(2025, 11, 20, 12, tzinfo=datetime.UTC), tick=False)
def test_compliance_is_never_above_100_percent_for_any_period(client, service_manager, region, team, people):
    client.force_login(service_manager)
    for period in ("2025-11", "2025-06", "2025-Q3", "FY2025", "FY2024"):
        for row in _csv(client, reverse("dashboards:region", args=[region.code]) + f"?period={period}&format=csv"):
            if row["Practitioners on course"]:
                assert 0 <= float(row["Practitioners on course"]) <= 100, (period, row)


@time_machine.travel(datetime.datetime(2025, 11, 20, 12, tzinfo=datetime.UTC), tick=False)
def test_a_financial_year_never_shows_months_still_to_come(client, service_manager, region, team, people):
    client.force_login(service_manager)
    for url in (
        reverse("dashboards:region", args=[region.code]),
        reverse("dashboards:team", args=[region.code, team.code]),
    ):
        rows = _csv(client, url + "?period=FY2025&format=csv&table=trend")
        months = [r["Month"] for r in rows]
        assert months[-1] == "2025-11" and len(months) == 12
        assert not any(m > "2025-11" for m in months)
    body = client.get(reverse("dashboards:region", args=[region.code]) + "?period=FY2025").content.decode()
    assert "Dec 2025" not in body and "Mar 2026" not in body
    # The region: 3 of its 5 practitioners on course over the 12 months to November.
    assert "3 of 5 practitioners (60%)" in body
