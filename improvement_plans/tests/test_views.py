"""Plan pages: who may read and edit, what board members never see, and constant query counts."""

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from improvement_plans.models import Action, Objective, Plan, ProgressUpdate, SuccessMeasure

from .factories import ActionFactory, BoundMeasureFactory, ObjectiveFactory, PlanFactory, ProgressUpdateFactory
from .snapshots import criterion, graded

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
    ActionFactory(objective=objective, ref="1.1", how="Overdue thing", due_on=D(2026, 1, 31), status="in_progress")
    ActionFactory(objective=objective, ref="1.2", how="Due soon thing", due_on=D(2026, 3, 30))
    ActionFactory(
        objective=objective,
        ref="1.3",
        how="Done thing",
        due_on=D(2025, 12, 1),
        status="complete",
        completed_on=D(2025, 11, 20),
    )
    return plan


@pytest.fixture
def regional_plan(region):
    plan = PlanFactory(title="North East plan", region=region)
    ActionFactory(objective=ObjectiveFactory(plan=plan), ref="1.1")
    return plan


def detail(plan):
    return reverse("improvement_plans:detail", args=[plan.pk])


# ---- reading -------------------------------------------------------------------------------


def test_board_member_reads_the_plan_with_overdue_actions_first(client, plan, board_member):
    client.force_login(board_member)
    response = client.get(detail(plan))
    html = response.content.decode()
    assert response.status_code == 200
    overdue = html.split('data-testid="overdue-actions"')[1].split("</table>")[0]
    assert "Overdue thing" in overdue and "Due soon thing" not in overdue and "Done thing" not in overdue
    assert html.index("Overdue actions") < html.index("Actions for objective 1")


def test_board_member_sees_no_case_level_links_and_no_edit_links(client, plan, board_member):
    client.force_login(board_member)
    html = client.get(detail(plan)).content.decode()
    for path in ("/cases/", "/audits/", "/edit/", "/history/", "actions.csv", "/updates/new/"):
        assert path not in html, path
    list_html = client.get(reverse("improvement_plans:list")).content.decode()
    assert "/cases/" not in list_html and "/audits/" not in list_html


def test_editor_sees_edit_links(client, plan, assistant_director):
    client.force_login(assistant_director)
    html = client.get(detail(plan)).content.decode()
    assert reverse("improvement_plans:edit", args=[plan.pk]) in html
    assert reverse("improvement_plans:history", args=[plan.pk]) in html


def test_practitioner_may_not_read_plans(client, plan, practitioner):
    client.force_login(practitioner)
    assert client.get(reverse("improvement_plans:list")).status_code == 403
    assert client.get(detail(plan)).status_code == 403


def test_anonymous_is_sent_to_sign_in(client, plan):
    response = client.get(detail(plan))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_service_manager_of_the_region_sees_its_plan(client, regional_plan, plan, service_manager):
    client.force_login(service_manager)
    assert client.get(detail(regional_plan)).status_code == 200
    html = client.get(reverse("improvement_plans:list")).content.decode()
    assert "North East plan" in html and "National plan" in html


def test_service_manager_of_another_region_cannot_see_a_regional_plan(client, regional_plan, plan, other_manager):
    client.force_login(other_manager)
    assert client.get(detail(regional_plan)).status_code == 404
    html = client.get(reverse("improvement_plans:list")).content.decode()
    assert "North East plan" not in html and "National plan" in html


def test_list_puts_plans_with_overdue_actions_first_and_counts_them(client, plan, board_member):
    calm = PlanFactory(title="A calm plan", region=None)
    ActionFactory(objective=ObjectiveFactory(plan=calm), due_on=D(2026, 12, 1), status="in_progress")
    client.force_login(board_member)
    html = client.get(reverse("improvement_plans:list")).content.decode()
    assert html.index("National plan") < html.index("A calm plan")
    row = html.split("National plan")[1].split("</tr>")[0]
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in row.split("</th>")[1].split("</td>")[:-1]]
    # scope, status, total, not started, in progress, complete, red, amber, green, overdue
    assert cells == ["National", "Active", "3", "1", "1", "1", "1", "1", "1", "1"]


# ---- writing -------------------------------------------------------------------------------


def edit_urls(plan):
    objective = plan.objectives.first()
    action = Action.objects.filter(objective__plan=plan).first()
    measure = BoundMeasureFactory(plan=plan)
    return [
        reverse("improvement_plans:create"),
        reverse("improvement_plans:edit", args=[plan.pk]),
        reverse("improvement_plans:objective_create", args=[plan.pk]),
        reverse("improvement_plans:objective_edit", args=[plan.pk, objective.pk]),
        reverse("improvement_plans:action_create", args=[plan.pk, objective.pk]),
        reverse("improvement_plans:action_edit", args=[plan.pk, action.pk]),
        reverse("improvement_plans:action_update", args=[plan.pk, action.pk]),
        reverse("improvement_plans:measure_create", args=[plan.pk]),
        reverse("improvement_plans:measure_edit", args=[plan.pk, measure.pk]),
        reverse("improvement_plans:measure_update", args=[plan.pk, measure.pk]),
        reverse("improvement_plans:actions_import", args=[plan.pk]),
        reverse("improvement_plans:actions_csv", args=[plan.pk]),
        reverse("improvement_plans:history", args=[plan.pk]),
    ]


@pytest.mark.parametrize("reader", ["board_member", "service_manager"])
def test_readers_get_403_on_every_edit_page_and_post(client, plan, reader, request):
    client.force_login(request.getfixturevalue(reader))
    before = (Plan.objects.count(), Objective.objects.count(), Action.objects.count(), ProgressUpdate.objects.count())
    for url in edit_urls(plan):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"title": "x", "narrative": "x", "how": "x", "ref": "9"}).status_code == 403, url
    assert client.post(detail(plan), {"title": "x"}).status_code == 403
    assert client.post(reverse("improvement_plans:list"), {"title": "x"}).status_code == 403
    after = (Plan.objects.count(), Objective.objects.count(), Action.objects.count(), ProgressUpdate.objects.count())
    assert before == after


def test_editor_adds_a_progress_update_with_a_manual_rag_shown_beside_the_computed_one(
    client, plan, assistant_director, board_member
):
    action = Action.objects.get(ref="1.2")  # computed amber: due in 20 days, not started
    client.force_login(assistant_director)
    url = reverse("improvement_plans:action_update", args=[plan.pk, action.pk])
    response = client.post(
        url,
        {"on": "2026-03-09", "narrative": "Drafting has begun", "rag": "red", "rag_reason": "Policy lead is off sick"},
    )
    assert response.status_code == 302
    update = ProgressUpdate.objects.get(action=action)
    assert (update.author, update.rag) == (assistant_director, "red")

    client.force_login(board_member)
    row = client.get(detail(plan)).content.decode().split(f'id="action-{action.pk}"')[1].split("</tr>")[0]
    assert "app-rag--amber" in row and "app-rag--red" in row
    assert "Policy lead is off sick" in row and "Drafting has begun" in row


def test_manual_rag_without_a_reason_is_refused_and_nothing_saved(client, plan, assistant_director):
    action = Action.objects.get(ref="1.2")
    client.force_login(assistant_director)
    url = reverse("improvement_plans:action_update", args=[plan.pk, action.pk])
    response = client.post(url, {"on": "2026-03-09", "narrative": "Going well", "rag": "green", "rag_reason": ""})
    assert response.status_code == 400
    assert "govuk-error-summary" in response.content.decode()
    assert "Give the reason for a manual RAG" in response.content.decode()
    assert not ProgressUpdate.objects.exists()


def test_bad_action_input_shows_govuk_errors_and_saves_nothing(client, plan, quality_admin):
    objective = plan.objectives.first()
    client.force_login(quality_admin)
    url = reverse("improvement_plans:action_create", args=[plan.pk, objective.pk])
    response = client.post(
        url,
        {"ref": "1.1", "how": "", "due_on": "31/02/2026", "status": "complete", "order": "x"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in html
    assert "Action 1.1 already exists under this objective" in html
    assert "Choose a named owner or enter the owners&#x27; role" in html
    assert Action.objects.filter(objective__plan=plan).count() == 3


def test_phrase_only_action_needs_a_review_date(client, plan, quality_admin):
    objective = plan.objectives.first()
    client.force_login(quality_admin)
    url = reverse("improvement_plans:action_create", args=[plan.pk, objective.pk])
    data = {"ref": "1.4", "order": "4", "how": "Review learning plans", "owner_roles": "Service managers"}
    data |= {"due_phrase": "Biannually", "status": "not_started"}
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Enter a review date for an action that only has a phrase" in response.content.decode()
    response = client.post(url, data | {"review_on": "2026-09-30"})
    assert response.status_code == 302
    assert Action.objects.get(ref="1.4").review_on == D(2026, 9, 30)


def test_marking_an_action_complete_records_today_as_its_completion_date(client, plan, assistant_director):
    action = Action.objects.get(ref="1.1")
    client.force_login(assistant_director)
    data = {"ref": "1.1", "order": "1", "how": "Overdue thing", "owner_roles": "Service managers"}
    data |= {"due_on": "2026-01-31", "status": "complete"}
    response = client.post(reverse("improvement_plans:action_edit", args=[plan.pk, action.pk]), data)
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.status, action.completed_on) == ("complete", D(2026, 3, 10))


def test_editor_records_progress_on_a_measure(client, plan, assistant_director):
    measure = BoundMeasureFactory(plan=plan)
    client.force_login(assistant_director)
    url = reverse("improvement_plans:measure_update", args=[plan.pk, measure.pk])
    data = {"on": "2026-03-01", "narrative": "Audits show progress", "evidence_url": "not a link"}
    response = client.post(url, data)
    assert response.status_code == 400 and "Enter a valid URL" in response.content.decode()
    data["evidence_url"] = "https://example.org/board-paper"
    assert client.post(url, data).status_code == 302
    assert measure.updates.get().evidence_url == "https://example.org/board-paper"


def test_editor_creates_a_plan_then_an_objective(client, assistant_director, region):
    client.force_login(assistant_director)
    response = client.post(
        reverse("improvement_plans:create"),
        {"title": "Wales plan", "region": region.pk, "owner_text": "Head of practice", "status": "active"},
    )
    plan = Plan.objects.get(title="Wales plan")
    assert response.status_code == 302 and response["Location"] == detail(plan)
    response = client.post(
        reverse("improvement_plans:objective_create", args=[plan.pk]), {"ref": "1", "order": "1", "what": "Listen more"}
    )
    assert response.status_code == 302
    assert plan.objectives.get().what == "Listen more"


def test_bad_measure_input_is_explained(client, plan, assistant_director, other_region):
    client.force_login(assistant_director)
    response = client.post(
        reverse("improvement_plans:measure_create", args=[plan.pk]),
        {
            "description": "More good work",
            "order": "1",
            "kpi": "good_or_better_pct",
            "scope": "region",
            "direction": "higher",
            "baseline": "60",
            "target": "50",
            "target_on": "2026-12-31",
            "current_months": "3",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Choose the region" in html
    assert "Where higher is better, the target must be at least the baseline" in html
    assert "Enter the end of the baseline period" in html
    assert not SuccessMeasure.objects.exists()


# ---- history -------------------------------------------------------------------------------


def test_history_shows_who_changed_what_before_and_after(client, plan, assistant_director):
    client.force_login(assistant_director)
    action = Action.objects.get(ref="1.2")
    data = {"ref": "1.2", "order": "2", "how": "Due soon thing", "owner_roles": "Service managers"}
    data |= {"due_on": "2026-05-31", "status": "in_progress"}
    assert client.post(reverse("improvement_plans:action_edit", args=[plan.pk, action.pk]), data).status_code == 302
    html = client.get(reverse("improvement_plans:history", args=[plan.pk])).content.decode()
    assert "Alex Director" in html
    assert "Changed: Action 1.2" in html
    assert "2026-03-30" in html and "2026-05-31" in html  # due date before and after
    assert "Not started" in html and "In progress" in html


def test_history_shows_named_owners_before_and_after(client, plan, assistant_director, board_member, quality_admin):
    action = Action.objects.get(ref="1.2")
    action.owners.set([quality_admin])
    client.force_login(assistant_director)
    data = {"ref": "1.2", "order": "2", "how": "Due soon thing", "owner_roles": "", "owners": [board_member.pk]}
    data |= {"due_on": "2026-03-30", "status": "not_started"}
    assert client.post(reverse("improvement_plans:action_edit", args=[plan.pk, action.pk]), data).status_code == 302
    html = client.get(reverse("improvement_plans:history", args=[plan.pk])).content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "Named owners : Quinn Admin → Bea Board" in text
    assert "Owners (role phrase) : Service managers → (empty)" in text


# ---- query counts --------------------------------------------------------------------------


def build(plan_region, *, actions: int, measures: int, team):
    plan = PlanFactory(region=plan_region)
    objectives = [ObjectiveFactory(plan=plan, ref=str(i), order=i) for i in range(1, 4)]
    for i in range(actions):
        a = ActionFactory(objective=objectives[i % 3], ref=f"{i % 3}.{i}", due_on=D(2026, 1, 1) + datetime.timedelta(i))
        ProgressUpdateFactory(action=a, rag="amber" if i % 2 else "", rag_reason="Reason" if i % 2 else "")
        ProgressUpdateFactory(action=a, on=D(2026, 2, 1))
    kpis = ["good_or_better_pct", "criterion:domestic-abuse-impact", "family_feedback_pct", "outstanding_pct"]
    for i in range(measures):
        m = BoundMeasureFactory(
            plan=plan,
            objective=objectives[i % 3] if i % 2 else None,
            kpi=kpis[i % len(kpis)],
            scope="national" if i % 3 == 1 else "plan",
        )
        ProgressUpdateFactory(measure=m)
    return plan


def count_queries(client, plan):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(detail(plan))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_plan_page_query_count_does_not_grow_with_actions_or_measures(
    client, board_member, region, team, django_assert_max_num_queries
):
    graded(team, D(2026, 2, 1), good=3, meets=2, family_feedback=1)
    criterion(team, D(2026, 2, 1), "domestic-abuse-impact", good_or_better=2, below_good=1)
    # Each plan has measures bound to registry KPIs and to a criterion, so both snapshot reads run.
    small = build(region, actions=3, measures=2, team=team)
    large = build(region, actions=30, measures=9, team=team)
    client.force_login(board_member)
    client.get(detail(small))  # warm the session
    small_count = count_queries(client, small)
    # session, user, roles; plan; objectives, actions, owners, action updates;
    # measures, measure updates; one snapshot aggregate, one criterion snapshot aggregate; computed_at.
    with django_assert_max_num_queries(small_count):
        response = client.get(detail(large))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="govuk-table__row" id="action-') == 30
    assert html.count("66.7% (2 of 3)") == 2  # both criterion measures (one national, one North East)
    assert small_count <= 15


def test_plan_list_query_count_does_not_grow_with_plans(client, board_member, region, team, django_assert_num_queries):
    build(region, actions=3, measures=1, team=team)
    client.force_login(board_member)
    client.get(reverse("improvement_plans:list"))
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("improvement_plans:list"))
    for _ in range(5):
        build(None, actions=10, measures=2, team=team)
    with django_assert_num_queries(len(ctx.captured_queries)):
        response = client.get(reverse("improvement_plans:list"))
    assert response.content.decode().count("/plans/") >= 6
