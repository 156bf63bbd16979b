"""Bad input and odd states on the plan pages: clear messages, never a 500, nothing half-saved."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from improvement_plans import forms
from improvement_plans.models import Objective, Plan, ProgressUpdate, SuccessMeasure

from .factories import ActionFactory, BoundMeasureFactory, ObjectiveFactory, PlanFactory
from .snapshots import graded

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime.datetime(2026, 3, 10, 12, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def plan():
    plan = PlanFactory(title="National plan", region=None)
    objective = ObjectiveFactory(plan=plan, ref="1", order=1)
    ActionFactory(objective=objective, ref="1.1", due_on=D(2026, 1, 31), status="in_progress")
    return plan


@pytest.fixture
def other_plan():
    plan = PlanFactory(title="Another plan", region=None)
    ActionFactory(objective=ObjectiveFactory(plan=plan, ref="1"), ref="1.1")
    BoundMeasureFactory(plan=plan)
    return plan


def detail(plan):
    return reverse("improvement_plans:detail", args=[plan.pk])


def measure_section(html, measure):
    return html.split(f'data-testid="measure-{measure.pk}"')[1].split("Latest update")[0]


MEASURE = {
    "description": "More work graded good or better",
    "order": "1",
    "kpi": "good_or_better_pct",
    "scope": "plan",
    "direction": "higher",
    "baseline": "60",
    "target": "70",
    "current_months": "3",
}


# ---- measures without figures, or with odd figures -------------------------------------------


def test_bound_measure_with_no_snapshots_says_no_data_yet(client, plan, board_member):
    measure = BoundMeasureFactory(plan=plan)
    client.force_login(board_member)
    response = client.get(detail(plan))
    assert response.status_code == 200
    section = measure_section(response.content.decode(), measure)
    assert "No data yet for Jan 2026 to Mar 2026" in section
    assert "No rating" in section


def test_measure_whose_baseline_equals_its_target_is_rated_without_error(client, plan, board_member, team):
    graded(team, D(2026, 2, 1), good=3, meets=1)  # 75% now
    at_target = BoundMeasureFactory(plan=plan, baseline=75, target=75)
    short = BoundMeasureFactory(plan=plan, baseline=80, target=80)
    client.force_login(board_member)
    response = client.get(detail(plan))
    html = response.content.decode()
    assert response.status_code == 200
    assert "app-rag--green" in measure_section(html, at_target)  # 75 reaches 75
    assert "app-rag--red" in measure_section(html, short)  # 75 is short of, and below, 80


# ---- the measure form ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"baseline": "-5"}, "Enter the baseline as a percentage from 0 to 100"),
        ({"baseline": "90", "target": "150"}, "Enter the target as a percentage from 0 to 100"),
        (
            {"kpi": "care_working_days_to_allocate", "direction": "lower", "baseline": "-1", "target": "-3"},
            "Enter the baseline as a number of days, 0 or more",
        ),
        ({"current_months": "0"}, "Enter a number of months from 1 to 12"),
        ({"current_months": "13"}, "Enter a number of months from 1 to 12"),
        ({"baseline_end": "2025-02-30"}, "Enter a valid date"),
        ({"baseline_end": "0001-01-01"}, "Enter a date between 2000 and 2099"),
        ({"kpi": "no_such_kpi"}, "Select a valid choice"),
    ],
)
def test_bad_measure_values_are_explained_and_nothing_saved(client, plan, assistant_director, changes, message):
    client.force_login(assistant_director)
    response = client.post(reverse("improvement_plans:measure_create", args=[plan.pk]), MEASURE | changes)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not SuccessMeasure.objects.exists()


# ---- progress updates ------------------------------------------------------------------------


def test_progress_update_dated_in_the_future_is_refused(client, plan, assistant_director):
    action = plan.objectives.get().actions.get()
    client.force_login(assistant_director)
    url = reverse("improvement_plans:action_update", args=[plan.pk, action.pk])
    response = client.post(url, {"on": "2026-03-11", "narrative": "Done tomorrow"})
    assert response.status_code == 400
    assert "The date of an update must be today or in the past" in response.content.decode()
    assert client.post(url, {"on": "2026-03-10", "narrative": "Done today"}).status_code == 302


@pytest.mark.parametrize("bad", ["2025-02-30", "", "next tuesday", "0001-01-01"])
def test_progress_update_with_a_bad_date_saves_nothing(client, plan, assistant_director, bad):
    action = plan.objectives.get().actions.get()
    client.force_login(assistant_director)
    url = reverse("improvement_plans:action_update", args=[plan.pk, action.pk])
    response = client.post(url, {"on": bad, "narrative": "Progress"})
    assert response.status_code == 400
    assert "govuk-error-summary" in response.content.decode()
    assert not ProgressUpdate.objects.exists()


def test_a_double_submitted_progress_update_is_recorded_once(client, plan, assistant_director):
    action = plan.objectives.get().actions.get()
    client.force_login(assistant_director)
    url = reverse("improvement_plans:action_update", args=[plan.pk, action.pk])
    data = {"on": "2026-03-09", "narrative": "Policy drafted", "rag": "amber", "rag_reason": "Awaiting sign-off"}
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    assert ProgressUpdate.objects.filter(action=action).count() == 1
    # A different update the same day is a new one.
    assert client.post(url, data | {"narrative": "Policy signed off"}).status_code == 302
    assert ProgressUpdate.objects.filter(action=action).count() == 2


# ---- wrong ids -------------------------------------------------------------------------------


def test_ids_of_another_plan_are_404_and_change_nothing(client, plan, other_plan, assistant_director):
    objective = other_plan.objectives.get()
    action = objective.actions.get()
    measure = other_plan.measures.get()
    urls = [
        reverse("improvement_plans:objective_edit", args=[plan.pk, objective.pk]),
        reverse("improvement_plans:action_create", args=[plan.pk, objective.pk]),
        reverse("improvement_plans:action_edit", args=[plan.pk, action.pk]),
        reverse("improvement_plans:action_update", args=[plan.pk, action.pk]),
        reverse("improvement_plans:measure_edit", args=[plan.pk, measure.pk]),
        reverse("improvement_plans:measure_update", args=[plan.pk, measure.pk]),
    ]
    client.force_login(assistant_director)
    for url in urls:
        assert client.get(url).status_code == 404, url
        post = {"ref": "1.1", "how": "Hijack", "owner_roles": "x", "due_on": "2026-05-01", "status": "in_progress"}
        assert client.post(url, post | {"order": "1", "on": "2026-03-01", "narrative": "x"}).status_code == 404, url
    action.refresh_from_db()
    assert action.how != "Hijack" and not ProgressUpdate.objects.exists()


def test_a_plan_that_does_not_exist_is_404(client, assistant_director, board_member):
    for user in (assistant_director, board_member):
        client.force_login(user)
        assert client.get("/plans/999999/").status_code == 404
    client.force_login(assistant_director)
    for path in ("edit/", "history/", "actions.csv", "actions/import/", "measures/new/"):
        assert client.get(f"/plans/999999/{path}").status_code == 404, path


def test_a_post_without_the_csrf_token_is_refused(plan, assistant_director):
    client = Client(enforce_csrf_checks=True)
    client.force_login(assistant_director)
    response = client.post(reverse("improvement_plans:edit", args=[plan.pk]), {"title": "Hijacked", "status": "active"})
    assert response.status_code == 403
    assert Plan.objects.get(pk=plan.pk).title == "National plan"


def test_two_editors_adding_the_same_objective_at_once_get_a_message_not_an_error(
    client, plan, assistant_director, monkeypatch
):
    # The race: both forms passed their checks before either row was written; the database's
    # unique constraint stops the second. Skipping the form's checks stands in for the other editor.
    monkeypatch.setattr(forms.ObjectiveForm, "clean_ref", lambda self: self.cleaned_data["ref"])
    monkeypatch.setattr(forms.ObjectiveForm, "validate_unique", lambda self: None)
    client.force_login(assistant_director)
    response = client.post(
        reverse("improvement_plans:objective_create", args=[plan.pk]), {"ref": "1", "order": "2", "what": "Again"}
    )
    assert response.status_code == 400
    assert "Someone saved a change here at the same moment" in response.content.decode()
    assert Objective.objects.filter(plan=plan).count() == 1


# ---- who sees which figures ------------------------------------------------------------------


def test_service_manager_sees_no_figures_of_a_region_they_may_not_read(
    client, service_manager, other_team, team, region
):
    graded(other_team, D(2026, 2, 1), outstanding=7, good=2, meets=1)  # South West: 90%
    graded(team, D(2026, 2, 1), good=1, meets=1)  # North East: 50%
    plan = PlanFactory(region=None)
    elsewhere = BoundMeasureFactory(plan=plan, scope="region", region=other_team.region)
    home = BoundMeasureFactory(plan=plan, scope="region", region=region)
    client.force_login(service_manager)  # North East
    html = client.get(detail(plan)).content.decode()
    hidden = measure_section(html, elsewhere)
    assert "Not shown: you may not read South West" in hidden
    assert "90.0%" not in hidden and "(9 of 10)" not in hidden
    assert "50.0% (1 of 2)" in measure_section(html, home)
