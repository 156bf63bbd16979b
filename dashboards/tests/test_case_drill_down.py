"""Drill-down to cases: each operational KPI (1–4) and domestic abuse count on a dashboard links to the
case list filtered the same way, and that list holds exactly as many cases as the figure counts. The
expected figures are worked out here from the hand-built cases, not by the code under test."""

import datetime
import random
import re

import pytest
import time_machine
from django.urls import reverse

from cases.tests.factories import CaseFactory
from dashboards.rollup import rollup_all
from organisation.calendar import working_days_between
from organisation.tests.factories import TeamFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2025, 11, 20, 12, tzinfo=datetime.UTC)
KINDS = [("public", "s31_care"), ("private", "section_7"), ("private", "child_arrangements"), ("public", "other")]


@pytest.fixture
def cases(region, team, other_team):
    """Cases of every kind over several months and three teams; returns them as plain dicts."""
    rng = random.Random(7)
    tees = TeamFactory(code="ne-tees", name="Teesside", region=region)
    rows = []
    for t in (team, tees, other_team):
        for _ in range(30):
            law, kind = rng.choice(KINDS)
            received = datetime.date(2025, rng.choice([5, 6, 7, 8, 9]), rng.randint(1, 28))
            allocated = rng.choice([None, received + datetime.timedelta(days=rng.randint(0, 12))])
            due = received + datetime.timedelta(days=rng.randint(20, 70))
            filed = rng.choice([None, due - datetime.timedelta(days=3), due, due + datetime.timedelta(days=2)])
            alleged = rng.random() < 0.4
            substantiated = alleged and rng.random() < 0.5
            CaseFactory(
                team=t,
                law_type=law,
                application_type=kind,
                received_on=received,
                allocated_on=allocated,
                report_due_on=due,
                report_filed_on=filed,
                domestic_abuse_alleged=alleged,
                domestic_abuse_substantiated=substantiated,
            )
            rows.append(
                {
                    "team": t.code,
                    "region": t.region.code,
                    "law": law,
                    "kind": kind,
                    "received": received,
                    "allocated": allocated,
                    "due": due,
                    "filed": filed,
                    "alleged": alleged,
                    "substantiated": substantiated,
                }
            )
    rollup_all()
    return rows


def _expected(rows, first, last):
    """KPIs 1–4 and the domestic abuse counts, by hand: (numerator, denominator) each."""

    def within(day):
        return day is not None and first <= day <= last

    care = [r for r in rows if r["kind"] == "s31_care" and within(r["received"])]
    care_allocated = [r for r in care if r["allocated"]]
    private = [r for r in rows if r["law"] == "private" and within(r["received"])]
    s7 = [r for r in rows if r["kind"] == "section_7" and within(r["due"])]
    alleged = [r for r in rows if r["alleged"] and within(r["received"])]
    return [
        (len(care_allocated), len(care)),
        (sum(working_days_between(r["received"], r["allocated"]) for r in care_allocated), len(care_allocated)),
        (sum(1 for r in private if r["allocated"]), len(private)),
        (sum(1 for r in s7 if r["filed"] and r["filed"] <= r["due"]), len(s7)),
        (len(alleged), None),
        (sum(1 for r in alleged if r["substantiated"]), len(alleged)),
    ]


def _listed(client, href) -> int:
    response = client.get(href)
    assert response.status_code == 200 and not response.context["form"].errors, href
    return response.context["page"].paginator.count


def _check_row(client, row, expected) -> int:
    """Each figure of one operational row against the hand count, and each link against its list."""
    followed = 0
    for cell, (numerator, denominator) in zip(row[1:], expected, strict=True):
        if cell.text == "No data":
            assert not denominator and not cell.href
            continue
        shown = [int(n) for n in re.findall(r"\d+(?:\.\d+)?", cell.text) if "." not in n]
        if denominator is None:  # a plain count
            assert shown == [numerator]
            assert _listed(client, cell.href) == numerator
        elif cell.text.endswith("cases)"):  # mean working days: the link lists the allocated cases
            assert cell.text == f"{numerator / denominator:.1f} days ({denominator} cases)"
            assert _listed(client, cell.href) == denominator
        else:
            assert shown[-2:] == [numerator, denominator], cell.text
            assert _listed(client, cell.href) == numerator
            ((_, more_href, more_count),) = cell.more
            assert more_count == denominator and _listed(client, more_href) == denominator
        followed += 1
    return followed


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("period", "first", "last"),
    [
        ("2025-07", datetime.date(2025, 7, 1), datetime.date(2025, 7, 31)),
        ("2025-Q3", datetime.date(2025, 7, 1), datetime.date(2025, 9, 30)),
        ("FY2025", datetime.date(2025, 4, 1), datetime.date(2026, 3, 31)),
    ],
)
def test_region_and_team_kpis_link_to_exactly_their_cases(
    client, service_manager, region, team, cases, period, first, last
):
    client.force_login(service_manager)
    in_region = [r for r in cases if r["region"] == region.code]
    in_team = [r for r in in_region if r["team"] == team.code]
    page = client.get(reverse("dashboards:region", args=[region.code]), {"period": period})
    rows = {row[0].text: row for row in page.context["tables"]["operational"].rows}
    followed = _check_row(client, rows[region.name], _expected(in_region, first, last))
    assert not any(c.href or c.more for c in rows["National"])  # a manager sees one region's cases
    page = client.get(reverse("dashboards:team", args=[region.code, team.code]), {"period": period})
    rows = {row[0].text: row for row in page.context["tables"]["operational"].rows}
    followed += _check_row(client, rows[team.name], _expected(in_team, first, last))
    followed += _check_row(client, rows[region.name], _expected(in_region, first, last))
    assert followed >= 12


@time_machine.travel(NOW, tick=False)
def test_national_kpis_link_for_a_quality_admin_and_not_for_the_board(
    client, quality_admin, board_member, region, other_region, cases
):
    first, last = datetime.date(2025, 7, 1), datetime.date(2025, 9, 30)
    client.force_login(quality_admin)
    page = client.get(reverse("dashboards:national"), {"period": "2025-Q3"})
    rows = {row[0].text: row for row in page.context["tables"]["operational"].rows}
    assert _check_row(client, rows["National (all regions)"], _expected(cases, first, last)) == 6
    in_other = [r for r in cases if r["region"] == other_region.code]
    assert _check_row(client, rows[other_region.name], _expected(in_other, first, last)) >= 5
    client.force_login(board_member)
    page = client.get(reverse("dashboards:national"), {"period": "2025-Q3"})
    assert reverse("cases:list") not in page.content.decode()


def test_the_case_list_reports_bad_kpi_filters_and_still_renders(client, quality_admin, cases):
    client.force_login(quality_admin)
    response = client.get(
        reverse("cases:list"),
        {"received_from": "2025-13", "allocated": "maybe", "due_from": "2025-09", "due_to": "2025-07"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Enter a month as YYYY-MM" in body and "Choose yes or no." in body
    assert "The month report due to must be the same as or after the month from." in body
