"""Journey 3: a board member opens an improvement plan, sees the overdue action first and a live measure."""

import datetime
from pathlib import Path

import pytest
from django.utils import timezone

from dashboards.models import KpiSnapshot
from improvement_plans.tests.factories import ActionFactory, BoundMeasureFactory, ObjectiveFactory, PlanFactory

from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_board_member_follows_a_plan_with_its_overdue_action_and_live_measure(page, live_server, board_member, team):
    today = timezone.localdate()
    this_month = today.replace(day=1)
    last_month = (this_month - datetime.timedelta(days=1)).replace(day=1)
    plan = PlanFactory(title="Domestic abuse learning plan", region=None)
    objective = ObjectiveFactory(plan=plan, ref="1", order=1, what="Make management oversight count")
    ActionFactory(
        objective=objective,
        ref="1.1",
        how="Publish the revised supervision policy",
        due_on=today + datetime.timedelta(days=90),
        status="in_progress",
    )
    ActionFactory(
        objective=objective,
        ref="1.2",
        how="Write guidance on unsafe orders",
        due_on=today - datetime.timedelta(days=12),
        status="in_progress",
    )
    ActionFactory(
        objective=objective,
        ref="1.3",
        how="Run reflective group supervision",
        due_on=today - datetime.timedelta(days=3),
        status="not_started",
    )
    measure = BoundMeasureFactory(
        plan=plan,
        objective=objective,
        description="More work graded good or better",
        baseline=50,
        target=80,
        baseline_start=today - datetime.timedelta(days=500),
        baseline_end=today - datetime.timedelta(days=200),
        target_on=today + datetime.timedelta(days=300),
    )
    rows = [
        KpiSnapshot.objects.create(
            region=team.region,
            team=team,
            month=last_month,
            audits=20,
            outstanding=3,
            good=9,
            meets_standard=6,
            requires_improvement=2,
        ),
        KpiSnapshot.objects.create(
            region=team.region,
            team=team,
            month=this_month,
            audits=10,
            outstanding=1,
            good=5,
            meets_standard=3,
            requires_improvement=1,
        ),
    ]
    good_or_better = sum(r.outstanding + r.good for r in rows)  # 18
    audited = sum(r.audits for r in rows)  # 30
    expected = f"{100 * good_or_better / audited:.1f}% ({good_or_better} of {audited})"  # 60.0% (18 of 30)

    sign_in(page, live_server, board_member)
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Improvement plans").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Improvement plans"
    assert_accessible(page)

    page.get_by_role("link", name="Domestic abuse learning plan").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Domestic abuse learning plan"
    overdue_rows = page.get_by_test_id("overdue-actions").locator("tbody tr")
    assert overdue_rows.count() == 2
    assert "Write guidance on unsafe orders" in overdue_rows.nth(0).inner_text()  # the oldest overdue first
    assert "Run reflective group supervision" in overdue_rows.nth(1).inner_text()
    # The overdue summary comes before the objectives.
    headings = page.get_by_role("heading", level=2).all_inner_texts()
    assert headings.index("Overdue actions") < headings.index("1. Make management oversight count")

    assert page.get_by_test_id(f"measure-now-{measure.pk}").inner_text().startswith(expected)
    assert page.locator(f"#measure-chart-{measure.pk}").count() == 1
    assert page.get_by_role("link", name="Edit plan").count() == 0
    assert page.locator("a[href^='/cases/'], a[href^='/audits/']").count() == 0
    assert_accessible(page)
    Path("test-results").mkdir(exist_ok=True)
    page.screenshot(path="test-results/plan.png", full_page=True)


def test_assistant_director_records_progress_with_a_manual_rag(page, live_server, assistant_director):
    today = timezone.localdate()
    plan = PlanFactory(title="National practice plan", region=None)
    objective = ObjectiveFactory(plan=plan, ref="1", order=1, what="Hear more from children")
    action = ActionFactory(
        objective=objective, ref="1.1", how="Ask families for feedback at case closure", due_on=today
    )

    sign_in(page, live_server, assistant_director)
    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    page.get_by_role("link", name="Add an update on action 1.1").click()
    page.wait_for_load_state()
    assert_accessible(page)

    # A manual RAG without its reason is refused with a GOV.UK error summary.
    page.get_by_label("Progress").fill("Letters are drafted")
    page.get_by_label("Red").check()
    page.get_by_role("button", name="Add update").click()
    page.wait_for_load_state()
    assert "Give the reason for a manual RAG" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)

    page.get_by_label("Reason for the manual RAG").fill("The printing contract has lapsed")
    page.get_by_role("button", name="Add update").click()
    page.wait_for_load_state()
    row = page.locator(f"#action-{action.pk}")
    assert "Letters are drafted" in row.inner_text()
    assert "The printing contract has lapsed" in row.inner_text()
    assert row.locator(".app-rag--amber").count() == 1  # computed: due today, not started
    assert row.locator(".app-rag--red").count() == 1  # manual, beside it
    assert_accessible(page)

    page.get_by_role("link", name="Change history").click()
    page.wait_for_load_state()
    assert "Alex Director" in page.get_by_test_id("history").inner_text()
    assert_accessible(page)
