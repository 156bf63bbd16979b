"""A success measure bound to a criterion's % good or better, fed by real audits and the roll-up.

Here rather than in improvement_plans/tests: that package may not import the audit factories
(import-linter keeps improvement_plans away from audits, tests included). Expected values are
counted from the judgements each test makes: Good or Outstanding over all graded, in plain Python.
"""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from audits.models import Grade
from audits.template_data import STANDARD
from audits.tests.factories import AuditTemplateFactory, CompletedAuditFactory, CriterionFactory, JudgementFactory
from dashboards import rollup
from improvement_plans import demo
from improvement_plans.selectors import measure_figures
from improvement_plans.tests.factories import BoundMeasureFactory, PlanFactory

D = datetime.date
pytestmark = pytest.mark.django_db

CODE = "impact-of-domestic-abuse"
KPI = f"criterion:{CODE}"
NOW = {D(2026, 1, 1), D(2026, 2, 1), D(2026, 3, 1)}  # a 3-month "now" on 10 March 2026
OUT, G, M, R = Grade.OUTSTANDING, Grade.GOOD, Grade.MEETS_STANDARD, Grade.REQUIRES_IMPROVEMENT


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime.datetime(2026, 3, 10, 12, 0, tzinfo=datetime.UTC), tick=False):
        yield


def roll_up():
    """Rebuild the snapshots as the nightly and weekly jobs do (criteria may have a job of their own)."""
    rollup.rollup_all()
    if hasattr(rollup, "rollup_criteria"):
        rollup.rollup_criteria()


@pytest.fixture
def versions():
    """Two versions of one template, each with the measured criterion (same code) and another one."""
    old = AuditTemplateFactory(slug="da-theme", version=1, is_current=False)
    new = AuditTemplateFactory(slug="da-theme", version=2)
    return {
        t: {
            "measured": CriterionFactory(template=t, code=CODE, text=f"Impact of domestic abuse (v{t.version})"),
            "other": CriterionFactory(template=t, code="management-oversight"),
        }
        for t in (old, new)
    }


@pytest.fixture
def judged(versions, team, other_team):
    """Completed audits with judgements; returns (region id, month, criterion code, grade) of each."""
    old, new = list(versions)
    plan_of_audits = [
        # (team, completed on, template, grade on the measured criterion, grade on the other one)
        (team, D(2026, 1, 12), old, G, R),
        (team, D(2026, 1, 20), old, R, R),
        (team, D(2026, 2, 3), new, OUT, M),
        (team, D(2026, 3, 2), new, M, None),
        (team, D(2026, 3, 5), new, G, R),
        (other_team, D(2026, 2, 14), new, G, M),
        (other_team, D(2026, 3, 1), new, OUT, OUT),
        (other_team, D(2026, 3, 2), new, R, OUT),
        (team, D(2025, 11, 10), old, R, G),  # before "now": in the trend only
        (team, D(2025, 1, 10), old, OUT, OUT),  # before the 12-month trend window
    ]
    made = []
    for t, on, template, measured, other in plan_of_audits:
        audit = CompletedAuditFactory(case__team=t, template=template, completed_on=on)
        for key, grade in (("measured", measured), ("other", other)):
            if grade is not None:
                JudgementFactory(audit=audit, criterion=versions[template][key], grade=grade)
                made.append((t.region_id, on.replace(day=1), versions[template][key].code, grade))
    # A judgement in an audit not completed yet: never counted.
    JudgementFactory(audit__case__team=team, audit__template=new, criterion=versions[new]["measured"], grade=R)
    roll_up()
    return made


def expected(judged, *, months, region=None):
    grades = [g for r, m, code, g in judged if code == CODE and m in months and (region is None or r == region.pk)]
    good = sum(1 for g in grades if g >= Grade.GOOD)
    return good, len(grades)


def current(measure, plan):
    figures = measure_figures([measure], plan, today=timezone.localdate())[measure.pk]
    return figures.current.numerator, figures.current.denominator


def test_regional_measure_counts_the_regions_gradings_of_the_criterion(judged, region):
    plan = PlanFactory(region=region)
    m = BoundMeasureFactory(plan=plan, kpi=KPI)
    good, graded = expected(judged, months=NOW, region=region)
    assert (good, graded) == (3, 5)  # G, OUT, G of G, R, OUT, M, G

    assert current(m, plan) == (good, graded)
    figures = measure_figures([m], plan, today=timezone.localdate())[m.pk]
    assert figures.value == pytest.approx(100 * good / graded)


def test_national_measure_counts_every_regions_gradings(judged):
    plan = PlanFactory(region=None)
    m = BoundMeasureFactory(plan=plan, kpi=KPI)
    assert (
        current(m, plan) == expected(judged, months=NOW) == (5, 8)
    )  # 3 of 5 in the North East, 2 of 3 in the South West


def test_region_scope_on_a_national_plan(judged, other_region):
    plan = PlanFactory(region=None)
    m = BoundMeasureFactory(plan=plan, kpi=KPI, scope="region", region=other_region)
    assert current(m, plan) == expected(judged, months=NOW, region=other_region) == (2, 3)  # G, OUT of G, OUT, R


def test_versions_of_a_criterion_sharing_its_code_are_summed(judged, versions, region):
    plan = PlanFactory(region=region)
    m = BoundMeasureFactory(plan=plan, kpi=KPI)
    # January was graded on version 1 only, March on version 2 only: "now" needs both.
    jan = expected(judged, months={D(2026, 1, 1)}, region=region)
    mar = expected(judged, months={D(2026, 3, 1)}, region=region)
    figures = measure_figures([m], plan, today=timezone.localdate())[m.pk]
    trend = {mo: (v.numerator, v.denominator) for mo, v in figures.trend}
    assert trend[D(2026, 1, 1)] == jan == (1, 2)
    assert trend[D(2026, 3, 1)] == mar == (1, 2)
    assert D(2025, 11, 1) in trend and D(2025, 1, 1) not in trend
    assert current(m, plan) == expected(judged, months=NOW, region=region)


def test_a_criterion_nobody_graded_has_no_data_yet(judged, region, board_member, client):
    plan = PlanFactory(region=region)
    m = BoundMeasureFactory(plan=plan, kpi="criterion:never-graded")
    assert measure_figures([m], plan, today=timezone.localdate())[m.pk].value is None
    client.force_login(board_member)
    html = client.get(reverse("improvement_plans:detail", args=[plan.pk])).content.decode()
    assert "No data yet" in html.split(f'data-testid="measure-now-{m.pk}"')[1].split("</dd>")[0]


def test_plan_page_shows_the_live_criterion_value(judged, region, board_member, client):
    plan = PlanFactory(region=region)
    m = BoundMeasureFactory(plan=plan, kpi=KPI, baseline=50, target=80)
    good, graded = expected(judged, months=NOW, region=region)
    client.force_login(board_member)
    html = client.get(reverse("improvement_plans:detail", args=[plan.pk])).content.decode()
    now_cell = html.split(f'data-testid="measure-now-{m.pk}"')[1].split("</dd>")[0]
    assert f"{100 * good / graded:.1f}% ({good} of {graded})" in now_cell  # 60.0% (3 of 5)
    assert "Impact of domestic abuse (v" in html  # the criterion's text names the KPI


def test_form_offers_the_graded_criterion_and_accepts_it(judged, assistant_director, client):
    plan = PlanFactory(region=None)
    client.force_login(assistant_director)
    url = reverse("improvement_plans:measure_create", args=[plan.pk])
    html = client.get(url).content.decode()
    assert f'<option value="{KPI}">' in html.split('<optgroup label="Audit criteria: % good or better">')[1]
    data = {"description": "Impact of domestic abuse assessed well", "order": "1", "kpi": KPI, "scope": "plan"}
    data |= {"direction": "higher", "baseline": "50", "target": "70", "current_months": "3"}
    assert client.post(url, data).status_code == 302
    assert plan.measures.get().kpi == KPI


def test_demo_binds_the_domestic_abuse_plan_to_a_graded_criterion_of_the_standard_template():
    graded_codes = {c["code"] for c in STANDARD["criteria"] if c.get("kind", "graded") == "graded"}
    assert demo.DA_IMPACT_KPI == "criterion:domestic-abuse-impact"
    assert "domestic-abuse-impact" in graded_codes
