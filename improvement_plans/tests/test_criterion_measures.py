"""A success measure bound to one audit criterion's % good or better.

Figures come from criterion snapshot rows built here by hand; expected values are summed from
those rows in the test (good or better over graded), never by calling the code under test.
The same measure fed by real audits and the roll-up is in tests/test_plan_criterion_measures.py
(improvement_plans may not import the audit factories).
"""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from dashboards.selectors import kpi_monthly, kpi_value
from improvement_plans.models import SuccessMeasure
from improvement_plans.selectors import measure_figures
from organisation.tests.factories import TeamFactory

from .factories import BoundMeasureFactory, PlanFactory
from .snapshots import criterion, graded

D = datetime.date
pytestmark = pytest.mark.django_db

CODE = "domestic-abuse-impact"
KPI = f"criterion:{CODE}"
TEXT = "Where domestic abuse features, its impact on this child is assessed."
NOW = {D(2026, 1, 1), D(2026, 2, 1), D(2026, 3, 1)}  # a 3-month "now" on 10 March 2026


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime.datetime(2026, 3, 10, 12, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def rows(team, other_team):
    ne2 = TeamFactory(code="ne-tees", name="Teesside", region=team.region)
    return [
        # North East, in "now": two teams.
        criterion(team, D(2026, 1, 1), CODE, good_or_better=3, below_good=2, text=TEXT),
        criterion(ne2, D(2026, 1, 1), CODE, good_or_better=1, below_good=3, text=TEXT),
        criterion(team, D(2026, 3, 1), CODE, good_or_better=4, below_good=1, text=TEXT),
        # South West, in "now".
        criterion(other_team, D(2026, 2, 1), CODE, good_or_better=6, below_good=0, text=TEXT),
        # Another criterion in the same slices: never counted.
        criterion(team, D(2026, 1, 1), "management-oversight", good_or_better=0, below_good=9),
        # North East before "now" (in the trend) and before the trend window.
        criterion(team, D(2025, 12, 1), CODE, good_or_better=1, below_good=1, text=TEXT),
        criterion(team, D(2024, 12, 1), CODE, below_good=20, text=TEXT),
    ]


def expected(rows, *, months, region=None, code=CODE):
    chosen = [r for r in rows if r.criterion_code == code and r.month in months]
    chosen = [r for r in chosen if region is None or r.region_id == region.pk]
    good = sum(r.graded - r.below_good for r in chosen)
    den = sum(r.graded for r in chosen)
    return good, den


def criterion_measure(plan, **kwargs):
    return BoundMeasureFactory(plan=plan, kpi=KPI, description="Impact of domestic abuse assessed well", **kwargs)


# ---- figures -------------------------------------------------------------------------------


def test_regional_criterion_measure_reads_its_regions_rows(rows, region):
    plan = PlanFactory(region=region)
    m = criterion_measure(plan)
    good, den = expected(rows, months=NOW, region=region)
    assert (good, den) == (8, 14)  # 3+1+4 of 5+4+5

    figures = measure_figures([m], plan, today=timezone.localdate())[m.pk]

    assert (figures.current.numerator, figures.current.denominator) == (good, den)
    assert figures.value == pytest.approx(100 * good / den)
    assert figures.scope_label == "North East"
    assert TEXT in figures.label


def test_national_criterion_measure_sums_every_region(rows):
    plan = PlanFactory(region=None)
    m = criterion_measure(plan)
    good, den = expected(rows, months=NOW)
    assert (good, den) == (14, 20)

    figures = measure_figures([m], plan, today=timezone.localdate())[m.pk]

    assert (figures.current.numerator, figures.current.denominator) == (good, den)


def test_criterion_measure_scoped_to_another_region_than_its_plan(rows, region, other_region):
    plan = PlanFactory(region=region)
    m = criterion_measure(plan, scope="region", region=other_region)

    figures = measure_figures([m], plan, today=timezone.localdate())[m.pk]

    assert (figures.current.numerator, figures.current.denominator) == expected(rows, months=NOW, region=other_region)
    assert figures.scope_label == "South West"


def test_criterion_trend_has_a_point_per_month_with_rows(rows, region):
    plan = PlanFactory(region=region)
    m = criterion_measure(plan)
    figures = measure_figures([m], plan, today=timezone.localdate())[m.pk]
    assert [mo for mo, _ in figures.trend] == [D(2025, 12, 1), D(2026, 1, 1), D(2026, 3, 1)]
    jan = figures.trend[1][1]
    assert (jan.numerator, jan.denominator) == expected(rows, months={D(2026, 1, 1)}, region=region) == (4, 9)


def test_criterion_and_registry_measures_on_one_plan_each_read_their_own_figures(rows, region, team):
    graded(team, D(2026, 2, 1), good=1, meets=3)
    plan = PlanFactory(region=region)
    by_criterion = criterion_measure(plan)
    by_grade = BoundMeasureFactory(plan=plan)  # good_or_better_pct

    figures = measure_figures([by_criterion, by_grade], plan, today=timezone.localdate())

    assert (figures[by_criterion.pk].current.numerator, figures[by_criterion.pk].current.denominator) == (8, 14)
    assert (figures[by_grade.pk].current.numerator, figures[by_grade.pk].current.denominator) == (1, 4)


def test_criterion_with_no_rows_has_no_value_and_no_rating(rows, region):
    plan = PlanFactory(region=region)
    m = BoundMeasureFactory(plan=plan, kpi="criterion:never-graded")
    figures = measure_figures([m], plan, today=timezone.localdate())[m.pk]
    assert figures.value is None
    assert figures.rag is None
    assert figures.trend == []
    assert "never-graded" in figures.label


def test_kpi_value_and_kpi_monthly_read_criterion_keys(rows, region):
    good, den = expected(rows, months=NOW, region=region)
    value = kpi_value(KPI, start=D(2026, 1, 1), end=D(2026, 3, 31), region_code="north-east")
    assert (value.numerator, value.denominator) == (good, den)
    assert value.value == pytest.approx(100 * good / den)
    monthly = kpi_monthly(KPI, start=D(2026, 1, 1), end=D(2026, 3, 31))
    assert [(mo, v.numerator, v.denominator) for mo, v in monthly] == [
        (mo, *expected(rows, months={mo})) for mo in sorted(NOW)
    ]


# ---- the plan page ---------------------------------------------------------------------------


def test_plan_page_shows_the_criterion_measure_with_its_text(client, rows, region, board_member):
    plan = PlanFactory(region=region)
    m = criterion_measure(plan, baseline=50, target=70, target_on=None)
    good, den = expected(rows, months=NOW, region=region)
    client.force_login(board_member)

    html = client.get(reverse("improvement_plans:detail", args=[plan.pk])).content.decode()

    section = html.split(f'data-testid="measure-{m.pk}"')[1].split("</dl>")[0]
    assert f"{100 * good / den:.1f}% ({good} of {den})" in section  # 57.1% (8 of 14)
    assert "Audits graded good or better on" in section and TEXT in section
    assert "app-rag--amber" in section  # better than 50, short of 70, no target date


def test_plan_page_says_no_data_yet_for_a_criterion_without_figures(client, region, board_member):
    plan = PlanFactory(region=region)
    m = BoundMeasureFactory(plan=plan, kpi="criterion:never-graded")
    client.force_login(board_member)
    html = client.get(reverse("improvement_plans:detail", args=[plan.pk])).content.decode()
    now_cell = html.split(f'data-testid="measure-now-{m.pk}"')[1].split("</dd>")[0]
    assert "No data yet for Jan 2026 to Mar 2026" in now_cell


def test_criterion_figures_of_a_region_the_reader_may_not_see_are_withheld(client, rows, other_region, service_manager):
    plan = PlanFactory(region=None)
    m = criterion_measure(plan, scope="region", region=other_region)
    client.force_login(service_manager)  # North East
    html = client.get(reverse("improvement_plans:detail", args=[plan.pk])).content.decode()
    now_cell = html.split(f'data-testid="measure-now-{m.pk}"')[1].split("</dd>")[0]
    assert "Not shown: you may not read South West's figures" in now_cell
    good, den = expected(rows, months=NOW, region=other_region)
    assert f"({good} of {den})" not in html


# ---- editing ---------------------------------------------------------------------------------


def form_data(**changes):
    data = {
        "description": "The impact of domestic abuse on the child is assessed well",
        "order": "1",
        "kpi": KPI,
        "scope": "plan",
        "direction": "higher",
        "baseline": "55",
        "baseline_start": "2025-01-01",
        "baseline_end": "2025-12-31",
        "target": "70",
        "target_on": "2026-12-31",
        "current_months": "3",
    }
    return data | changes


def test_measure_form_offers_graded_criteria_in_their_own_group(client, rows, assistant_director):
    plan = PlanFactory(region=None)
    client.force_login(assistant_director)
    html = client.get(reverse("improvement_plans:measure_create", args=[plan.pk])).content.decode()
    group = html.split('<optgroup label="Audit criteria: % good or better">')[1].split("</optgroup>")[0]
    assert f'<option value="{KPI}">{TEXT}</option>' in group
    assert 'value="criterion:management-oversight"' in group
    assert 'value="good_or_better_pct"' not in group


def test_editor_binds_a_measure_to_a_criterion(client, rows, assistant_director):
    plan = PlanFactory(region=None)
    client.force_login(assistant_director)
    response = client.post(reverse("improvement_plans:measure_create", args=[plan.pk]), form_data())
    assert response.status_code == 302
    measure = SuccessMeasure.objects.get(plan=plan)
    assert measure.kpi == KPI and measure.is_bound and measure.kpi_unit == "%"


def test_a_criterion_never_graded_is_refused_with_its_code(client, rows, assistant_director):
    plan = PlanFactory(region=None)
    client.force_login(assistant_director)
    response = client.post(
        reverse("improvement_plans:measure_create", args=[plan.pk]), form_data(kpi="criterion:no-such-criterion")
    )
    assert response.status_code == 400
    html = response.content.decode().replace("&#x27;", "'")
    assert "No audit criterion with the code 'no-such-criterion' has been graded" in html
    assert not SuccessMeasure.objects.exists()


def test_a_criterion_measure_takes_percentages_only(client, rows, assistant_director):
    plan = PlanFactory(region=None)
    client.force_login(assistant_director)
    response = client.post(
        reverse("improvement_plans:measure_create", args=[plan.pk]), form_data(baseline="55", target="120")
    )
    assert response.status_code == 400
    assert "Enter the target as a percentage from 0 to 100" in response.content.decode()
    assert not SuccessMeasure.objects.exists()


def test_a_malformed_criterion_key_is_not_a_kpi(rows):
    m = SuccessMeasure(plan=PlanFactory(), description="x", kpi="criterion:not a slug!", baseline=1, target=2)
    with pytest.raises(ValidationError) as error:
        m.full_clean()
    assert error.value.message_dict["kpi"] == ["Choose a KPI from the list"]
    assert not m.is_bound


def test_a_measure_bound_before_its_criterion_was_graded_can_still_be_edited(client, assistant_director):
    plan = PlanFactory(region=None)
    m = BoundMeasureFactory(plan=plan, kpi="criterion:not-yet-graded", baseline=40, target=60)
    client.force_login(assistant_director)
    url = reverse("improvement_plans:measure_edit", args=[plan.pk, m.pk])
    assert 'value="criterion:not-yet-graded" selected' in client.get(url).content.decode()
    response = client.post(url, form_data(kpi="criterion:not-yet-graded", description="Renamed"))
    assert response.status_code == 302
    m.refresh_from_db()
    assert (m.description, m.kpi) == ("Renamed", "criterion:not-yet-graded")
