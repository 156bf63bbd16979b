"""A bound success measure reports the value the snapshots hold for its scope and period.

Expected values are computed here from the rows each test creates: summed numerators over
summed denominators, never by calling the code under test.
"""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from improvement_plans.selectors import measure_figures
from organisation.tests.factories import TeamFactory

from .factories import BoundMeasureFactory, PlanFactory
from .snapshots import graded, snapshot

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    # "Now" for a 3-month measure is January to March 2026.
    with time_machine.travel(datetime.datetime(2026, 3, 10, 12, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def rows(team, other_team):
    ne2 = TeamFactory(code="ne-tees", name="Teesside", region=team.region)
    made = [
        # In the window (Jan-Mar 2026), North East: two teams.
        graded(team, D(2026, 1, 1), outstanding=2, good=5, meets=3, ri=1, family_feedback=4),
        graded(ne2, D(2026, 1, 1), good=3, meets=4, ri=2, family_feedback=1),
        graded(team, D(2026, 3, 1), outstanding=1, good=2, meets=5, ri=2, family_feedback=6),
        # In the window, South West.
        graded(other_team, D(2026, 2, 1), outstanding=4, good=6, meets=1, family_feedback=2),
        # Before the window (December 2025): in the trend, not in "now".
        graded(team, D(2025, 12, 1), outstanding=9, good=9),
        # Before the trend window altogether.
        graded(team, D(2024, 12, 1), ri=30),
    ]
    return made


def expected_pct(rows, *, region=None, months, numerator, denominator="audits"):
    chosen = [r for r in rows if r.month in months and (region is None or r.region_id == region.pk)]
    num = sum(getattr(r, f) for r in chosen for f in numerator)
    den = sum(getattr(r, denominator) for r in chosen)
    return num, den, 100 * num / den


NOW = {D(2026, 1, 1), D(2026, 2, 1), D(2026, 3, 1)}


def test_regional_measure_reads_its_regions_rows_over_the_last_three_months(rows, region):
    plan = PlanFactory(region=region)
    m = BoundMeasureFactory(plan=plan)  # scope: the plan's own region
    num, den, pct = expected_pct(rows, region=region, months=NOW, numerator=("outstanding", "good"))
    assert (num, den) == (13, 30)  # 2+5+3+2+1 of 11+9+10

    figures = measure_figures([m], plan, today=timezone.localdate())[m.pk]

    assert (figures.current.numerator, figures.current.denominator) == (num, den)
    assert figures.value == pytest.approx(pct)
    assert figures.scope_label == "North East"


def test_national_measure_sums_every_region(rows):
    plan = PlanFactory(region=None)
    m = BoundMeasureFactory(plan=plan, kpi="family_feedback_pct", baseline=20, target=50)
    num, den, pct = expected_pct(rows, months=NOW, numerator=("family_feedback",))
    assert (num, den) == (13, 41)

    figures = measure_figures([m], plan, today=timezone.localdate())[m.pk]

    assert (figures.current.numerator, figures.current.denominator) == (num, den)
    assert figures.value == pytest.approx(pct)


def test_measure_scoped_to_another_region_than_its_plan(rows, other_region):
    plan = PlanFactory(region=None)
    m = BoundMeasureFactory(plan=plan, scope="region", region=other_region)
    num, den, pct = expected_pct(rows, region=other_region, months=NOW, numerator=("outstanding", "good"))

    figures = measure_figures([m], plan, today=timezone.localdate())[m.pk]

    assert (figures.current.numerator, figures.current.denominator) == (num, den) == (10, 11)


def test_trend_has_one_point_per_month_with_rows_in_the_last_twelve_months(rows, region):
    plan = PlanFactory(region=region)
    m = BoundMeasureFactory(plan=plan)
    figures = measure_figures([m], plan, today=timezone.localdate())[m.pk]
    months = [mo for mo, _ in figures.trend]
    assert months == [D(2025, 12, 1), D(2026, 1, 1), D(2026, 3, 1)]  # Dec 2024 is too old; Feb has no NE rows
    dec = figures.trend[0][1]
    assert (dec.numerator, dec.denominator) == (18, 18)


def test_a_wider_now_takes_in_more_months(rows, region):
    plan = PlanFactory(region=region)
    m = BoundMeasureFactory(plan=plan, current_months=4)
    num, den, _ = expected_pct(rows, region=region, months=NOW | {D(2025, 12, 1)}, numerator=("outstanding", "good"))
    figures = measure_figures([m], plan, today=timezone.localdate())[m.pk]
    assert (figures.current.numerator, figures.current.denominator) == (num, den) == (31, 48)


def test_days_kpi_is_a_mean_and_lower_is_better(team):
    rows = [
        snapshot(team, D(2026, 2, 1), care_received=5, care_allocated=4, care_working_days_sum=10),
        snapshot(team, D(2026, 3, 1), care_received=3, care_allocated=2, care_working_days_sum=2),
    ]
    plan = PlanFactory(region=None)
    m = BoundMeasureFactory(
        plan=plan, kpi="care_working_days_to_allocate", baseline=3, target=1, direction="lower", target_on=None
    )
    expected = sum(r.care_working_days_sum for r in rows) / sum(r.care_allocated for r in rows)  # 12 / 6 = 2.0

    figures = measure_figures([m], plan, today=timezone.localdate())[m.pk]

    assert figures.value == pytest.approx(expected)
    assert figures.rag == "amber"  # better than 3, short of 1, no target date


def test_measure_with_no_rows_has_no_value_and_no_rating(region):
    plan = PlanFactory(region=region)
    m = BoundMeasureFactory(plan=plan)
    figures = measure_figures([m], plan, today=timezone.localdate())[m.pk]
    assert figures.value is None
    assert figures.rag is None


def test_plan_page_shows_baseline_now_and_target_from_the_snapshots(client, rows, region, board_member):
    plan = PlanFactory(region=region)
    m = BoundMeasureFactory(plan=plan, baseline=40, target=50, target_on=None)
    num, den, pct = expected_pct(rows, region=region, months=NOW, numerator=("outstanding", "good"))
    client.force_login(board_member)

    response = client.get(reverse("improvement_plans:detail", args=[plan.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert f"{pct:.1f}% ({num} of {den})" in html  # 43.3% (13 of 30)
    assert "40.0%" in html and "50.0%" in html
    # 43.3 is better than the baseline 40 but short of 50 with no target date: amber.
    now_cell = html.split(f'data-testid="measure-{m.pk}"')[1]
    assert "app-rag--amber" in now_cell.split("</dl>")[0]
    assert "Figures as of" in html
