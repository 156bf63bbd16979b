"""Journey 3: a board member opens an improvement plan, sees the overdue action first and a live measure."""

import datetime
from pathlib import Path

import pytest
from django.utils import timezone

from audits.models import Grade
from audits.tests.factories import CompletedAuditFactory
from dashboards.rollup import rollup_all
from improvement_plans.tests.factories import ActionFactory, BoundMeasureFactory, ObjectiveFactory, PlanFactory

from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_board_member_follows_a_plan_with_its_overdue_action_and_live_measure(
    page, live_server, board_member, team, other_team
):
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
        scope="region",
        region=team.region,
        baseline=50,
        target=80,
        baseline_start=today - datetime.timedelta(days=500),
        baseline_end=today - datetime.timedelta(days=200),
        target_on=today + datetime.timedelta(days=300),
    )
    # Real audits, rolled up as the nightly job does; the expected value is worked out here from
    # the audits' own grades (North East only, this month and last: the measure's 3-month "now").
    grades = {
        last_month.replace(day=15): [Grade.OUTSTANDING, Grade.GOOD, Grade.GOOD, Grade.MEETS_STANDARD],
        today: [Grade.GOOD, Grade.REQUIRES_IMPROVEMENT, Grade.MEETS_STANDARD],
    }
    for day, day_grades in grades.items():
        for grade in day_grades:
            CompletedAuditFactory(case__team=team, overall_grade=grade, completed_on=day)
    CompletedAuditFactory(case__team=other_team, overall_grade=Grade.OUTSTANDING, completed_on=today)  # elsewhere
    rollup_all()
    audited = [g for day_grades in grades.values() for g in day_grades]
    good_or_better = sum(1 for g in audited if g in (Grade.OUTSTANDING, Grade.GOOD))  # 4
    expected = f"{100 * good_or_better / len(audited):.1f}% ({good_or_better} of {len(audited)})"  # 57.1% (4 of 7)

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

    # Printed as a board paper: the plan and its actions, without buttons, edit links or navigation.
    page.emulate_media(media="print")
    assert row.is_visible()
    assert not page.get_by_role("link", name="Edit plan").is_visible()
    assert not page.get_by_role("link", name="Add an update on action 1.1").is_visible()
    assert not page.get_by_role("navigation", name="Main navigation").is_visible()
    page.emulate_media(media="screen")

    page.get_by_role("link", name="Change history").click()
    page.wait_for_load_state()
    assert "Alex Director" in page.get_by_test_id("history").inner_text()
    assert_accessible(page)
