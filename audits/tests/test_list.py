"""/audits/: the auditor's to do and done lists, audits of my work, and a region's audits."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from audits.models import AuditStatus, Grade, LearningAction
from audits.tests.factories import AuditFactory, CompletedAuditFactory
from cases.tests.factories import CaseFactory
from organisation.tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/audits/"


def days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


def refs(response):
    """Case references in the order the page lists them."""
    return [a.case.reference for a in response.context["audits"]]


def sub_navigation(response):
    return re.findall(r'class="moj-sub-navigation__link" href="\?section=([\w-]+)"', response.content.decode())


def test_url_name_is_stable():
    assert reverse("audits:list") == URL


# ---- the auditor ---------------------------------------------------------------------------


def test_todo_lists_overdue_first_then_by_due_date(client, auditor, team):
    due = {"in-10": 10, "late-3": -3, "in-2": 2, "late-10": -10, "in-5": 5}
    for reference, offset in due.items():
        status = AuditStatus.IN_PROGRESS if reference == "in-5" else AuditStatus.SCHEDULED
        AuditFactory(case__reference=reference, case__team=team, auditor=auditor, due_on=days(offset), status=status)
    # Not on this auditor's to do list: someone else's, and one already completed.
    AuditFactory(case__reference="other-auditor", case__team=team, due_on=days(-20))
    CompletedAuditFactory(case__reference="done", case__team=team, auditor=auditor, due_on=days(-30))

    client.force_login(auditor)
    response = client.get(URL, {"section": "todo"})

    assert response.status_code == 200
    assert refs(response) == ["late-10", "late-3", "in-2", "in-5", "in-10"]
    assert response.content.decode().count("govuk-tag--red") == 2  # the two overdue ones are tagged


def test_todo_is_the_auditors_first_list(client, auditor, team):
    AuditFactory(case__reference="mine", case__team=team, auditor=auditor)
    client.force_login(auditor)
    response = client.get(URL)
    assert response.context["current"].key == "todo"
    assert refs(response) == ["mine"]
    assert sub_navigation(response) == ["todo", "done"]


def test_done_lists_submitted_and_completed_newest_first(client, auditor, team):
    now = timezone.now()
    for reference, age in [("old", 30), ("new", 1), ("middle", 10)]:
        CompletedAuditFactory(
            case__reference=reference,
            case__team=team,
            auditor=auditor,
            completed_on=(now - datetime.timedelta(days=age)).date(),
            completed_at=now - datetime.timedelta(days=age),
        )
    AuditFactory(case__reference="submitted", case__team=team, auditor=auditor, status=AuditStatus.SUBMITTED,
                 submitted_at=now)  # fmt: skip
    AuditFactory(case__reference="open", case__team=team, auditor=auditor)

    client.force_login(auditor)
    response = client.get(URL, {"section": "done"})

    assert refs(response) == ["submitted", "new", "middle", "old"]


# ---- the practitioner -------------------------------------------------------------------------


def test_practitioner_sees_completed_audits_of_own_cases_never_a_colleagues(client, practitioner, colleague, team):
    CompletedAuditFactory(case__reference="mine-1", case__team=team, case__practitioner=practitioner)
    CompletedAuditFactory(case__reference="mine-2", case__team=team, case__practitioner=practitioner,
                          completed_on=datetime.date(2025, 7, 1))  # fmt: skip
    AuditFactory(case__reference="mine-open", case__team=team, case__practitioner=practitioner)
    CompletedAuditFactory(case__reference="colleague", case__team=team, case__practitioner=colleague)
    # A case re-allocated to me after it was audited: that audit graded my colleague's work.
    moved = CompletedAuditFactory(case__reference="moved", case__team=team, case__practitioner=colleague)
    moved.case.practitioner = practitioner
    moved.case.save()

    client.force_login(practitioner)
    response = client.get(URL)

    assert response.context["current"].key == "my-work"
    assert refs(response) == ["mine-2", "mine-1"]
    body = response.content.decode()
    assert "colleague" not in body and "moved" not in body


def test_colleague_does_not_see_my_audits(client, practitioner, colleague, team):
    CompletedAuditFactory(case__reference="mine", case__team=team, case__practitioner=practitioner)
    client.force_login(colleague)
    response = client.get(URL)
    assert refs(response) == []
    assert "There are no completed audits of your cases yet." in response.content.decode()


def test_practitioner_sees_grade_link_actions_and_response(client, practitioner, team):
    audit = CompletedAuditFactory(
        case__reference="mine",
        case__team=team,
        case__practitioner=practitioner,
        overall_grade=Grade.GOOD,
        final_grade=Grade.OUTSTANDING,  # moderated up: the final grade is the one shown
        practitioner_response="I will see the child at school next time.",
    )
    LearningAction.objects.create(audit=audit, description="Use the direct-work toolkit", due_on=days(-1))
    LearningAction.objects.create(audit=audit, description="Record the day 10 review", due_on=days(20),
                                  status="done", completed_on=days(-2))  # fmt: skip

    client.force_login(practitioner)
    body = client.get(URL).content.decode()

    assert 'data-testid="grade">Outstanding<' in body
    assert f'href="/audits/{audit.pk}/"' in body
    assert "Use the direct-work toolkit" in body and "Record the day 10 review" in body
    assert 'govuk-tag--red">Overdue' in body  # the open action past its due date
    assert 'govuk-tag--turquoise">Done, awaiting sign-off' in body
    assert "I will see the child at school next time." in body
    assert reverse("audits:response", args=[audit.pk]) in body


# ---- managers and admins -----------------------------------------------------------------------


def test_manager_sees_region_audits_with_counts(client, service_manager, team, region):
    other_team_here = TeamFactory(code="ne-tees", name="Teesside", region=region)
    AuditFactory.create_batch(3, case__team=team, due_on=days(-1))  # overdue
    AuditFactory.create_batch(2, case__team=other_team_here, due_on=days(5))
    CompletedAuditFactory.create_batch(4, case__team=team)
    AuditFactory(case__team=team, status=AuditStatus.CANCELLED)
    AuditFactory(case__team=TeamFactory(code="sw-x", region__code="south-west"))  # another region

    client.force_login(service_manager)
    response = client.get(URL)

    assert response.context["current"].key == "region"
    counts = response.context["counts"]
    assert counts["total"] == 10
    assert (counts["scheduled"], counts["completed"], counts["cancelled"], counts["overdue"]) == (5, 4, 1, 3)
    assert len(response.context["audits"]) == 10


def test_manager_filters_by_status_team_auditor_and_overdue(client, service_manager, team, region):
    tees = TeamFactory(code="ne-tees", name="Teesside", region=region)
    ada = UserFactory(username="ada", team=team, roles=["auditor"])
    late = AuditFactory(case__team=team, auditor=ada, due_on=days(-1))
    soon = AuditFactory(case__team=tees, auditor=ada, due_on=days(3))
    done = CompletedAuditFactory(case__team=tees)

    client.force_login(service_manager)

    def pks(**params):
        response = client.get(URL, {"section": "region", **params})
        assert response.status_code == 200, response.context["errors"]
        return {a.pk for a in response.context["audits"]}

    assert pks(status="completed") == {done.pk}
    assert pks(team="ne-tees") == {soon.pk, done.pk}
    assert pks(auditor="ada") == {late.pk, soon.pk}
    assert pks(overdue="yes") == {late.pk}
    assert pks(overdue="no") == {soon.pk, done.pk}
    assert pks(team="ne-tees", auditor="ada") == {soon.pk}


def test_manager_list_shows_overdue_first(client, service_manager, team):
    AuditFactory(case__reference="later", case__team=team, due_on=days(30))
    AuditFactory(case__reference="late", case__team=team, due_on=days(-2))
    CompletedAuditFactory(case__reference="done", case__team=team, due_on=days(-9))
    client.force_login(service_manager)
    assert refs(client.get(URL)) == ["late", "later", "done"]


def test_manager_of_another_region_sees_none_of_this_regions_audits(client, other_manager, team):
    AuditFactory.create_batch(2, case__team=team)
    CompletedAuditFactory(case__team=team)
    client.force_login(other_manager)
    response = client.get(URL)
    assert response.context["counts"]["total"] == 0
    assert refs(response) == []
    # Naming this region's team in the filter does not open it either.
    response = client.get(URL, {"section": "region", "team": team.code})
    assert response.status_code == 400
    assert refs(response) == []


def test_quality_admin_sees_every_region(client, quality_admin, team, other_team):
    here = AuditFactory(case__team=team)
    there = CompletedAuditFactory(case__team=other_team)
    client.force_login(quality_admin)
    response = client.get(URL)
    assert {a.pk for a in response.context["audits"]} == {here.pk, there.pk}
    response = client.get(URL, {"section": "region", "region": other_team.region.code})
    assert {a.pk for a in response.context["audits"]} == {there.pk}


def test_a_person_with_several_roles_sees_each_section(client, team):
    person = UserFactory(team=team, roles=["auditor", "practitioner", "service_manager"])
    client.force_login(person)
    response = client.get(URL)
    assert sub_navigation(response) == ["todo", "done", "my-work", "region"]
    for key in ["todo", "done", "my-work", "region"]:
        assert client.get(URL, {"section": key}).context["current"].key == key


@pytest.mark.parametrize("who", ["board_member", "assistant_director"])
def test_people_without_case_access_are_refused(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(URL).status_code == 403


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# ---- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params, message",
    [
        ({"section": "region"}, "That list is not available to you."),
        ({"section": "nonsense"}, "That list is not available to you."),
        ({"page": "abc"}, "The page number must be a whole number, 1 or more."),
        ({"page": "-2"}, "The page number must be a whole number, 1 or more."),
        ({"page": "99"}, "There is no page 99: this list has 1."),
    ],
)
def test_bad_query_parameters_get_a_clear_message(client, auditor, team, params, message):
    AuditFactory(case__team=team, auditor=auditor)
    client.force_login(auditor)
    response = client.get(URL, params)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "govuk-error-summary" in response.content.decode()
    assert len(response.context["audits"]) == 1  # the list still shows


def test_bad_filters_get_a_clear_message(client, service_manager, team):
    AuditFactory(case__team=team)
    client.force_login(service_manager)
    response = client.get(
        URL, {"section": "region", "status": "lost", "team": "nowhere", "auditor": "nobody", "overdue": "maybe"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    for message in [
        "Choose a status from the list.",
        "Choose a team from the list.",
        "Choose an auditor from the list.",
        "Choose overdue only, not overdue, or either.",
    ]:
        assert message in body
    assert len(response.context["audits"]) == 1


# ---- query counts ------------------------------------------------------------------------------------

# session, user, the user's groups (roles), then per section: the paginator's count, the
# page of rows (one query with its joins), and for my-work the learning actions
# (one prefetch); the region list adds its counts aggregate and the team and auditor
# options of the filter form, and the region, practitioner and template options (drill-down filters).
MAX_QUERIES = {"todo": 5, "done": 5, "my-work": 6, "region": 11}


def _grow(n, *, team, auditor, practitioner, start):
    for i in range(start, start + n):
        case = CaseFactory(reference=f"Q-{i:04d}", team=team, practitioner=practitioner)
        AuditFactory(case=case, auditor=auditor, due_on=days(i % 7 - 3))
        audit = CompletedAuditFactory(case=case, auditor=auditor, completed_on=days(-i))
        LearningAction.objects.create(audit=audit, description=f"Action {i}", due_on=days(10))


@pytest.mark.parametrize("section", ["todo", "done", "my-work", "region"])
def test_list_query_count_is_constant_as_audits_grow(client, django_assert_max_num_queries, team, section):
    person = UserFactory(team=team, roles=["auditor", "practitioner", "service_manager"])
    auditor = UserFactory(team=team, roles=["auditor"])
    # The person audits some, and their own cases are audited by someone else.
    _grow(3, team=team, auditor=person, practitioner=None, start=0)
    _grow(2, team=team, auditor=auditor, practitioner=person, start=100)
    client.force_login(person)
    with django_assert_max_num_queries(MAX_QUERIES[section]):
        small = client.get(URL, {"section": section})
    assert small.status_code == 200
    _grow(30, team=team, auditor=person, practitioner=None, start=200)
    _grow(30, team=team, auditor=auditor, practitioner=person, start=300)
    with django_assert_max_num_queries(MAX_QUERIES[section]):
        large = client.get(URL, {"section": section})
    assert large.status_code == 200
    assert large.context["page"].paginator.count > small.context["page"].paginator.count


# ---- national scale: the audit's own columns, bounded counts -------------------------------------


def test_a_reallocated_case_moves_its_open_audits_but_never_its_completed_ones(
    client, service_manager, other_manager, team, other_team, practitioner
):
    case = CaseFactory(reference="MOVES", team=team, practitioner=practitioner)
    open_audit = AuditFactory(case=case, due_on=days(3))
    done = CompletedAuditFactory(case=case)
    case.region, case.team, case.practitioner = other_team.region, other_team, None
    case.save()
    open_audit.refresh_from_db()
    done.refresh_from_db()
    # Region and team follow the case; the practitioner whose work it grades does not.
    assert (open_audit.region_id, open_audit.team_id, open_audit.practitioner_id) == (
        other_team.region_id,
        other_team.pk,
        practitioner.pk,
    )
    assert (done.region_id, done.team_id, done.practitioner_id) == (team.region_id, team.pk, practitioner.pk)
    client.force_login(other_manager)
    assert {a.pk for a in client.get(URL).context["audits"]} == {open_audit.pk}
    client.force_login(service_manager)
    assert {a.pk for a in client.get(URL).context["audits"]} == {done.pk}


def test_counts_above_the_limit_say_more_than_and_the_list_stops_there(client, service_manager, team, monkeypatch):
    from organisation import paging

    monkeypatch.setattr(paging, "COUNT_LIMIT", 3)
    late = AuditFactory(case__team=team, due_on=days(-1))
    AuditFactory.create_batch(2, case__team=team, due_on=days(5))
    CompletedAuditFactory.create_batch(2, case__team=team)
    client.force_login(service_manager)
    response = client.get(URL)
    counts = response.context["counts"]
    assert str(counts["total"]) == "more than 3" and counts["total"].capped
    assert (int(counts["scheduled"]), int(counts["completed"]), int(counts["overdue"])) == (3, 2, 1)
    body = response.content.decode()
    assert "more than 3 audits match" in body and "Only the first 3 are listed" in body
    listed = response.context["page"].object_list
    assert len(listed) == 3 and listed[0].pk == late.pk  # overdue first, from its own segment
    response = client.get(URL, {"page": "2"})
    assert response.status_code == 400
    assert "only the first 3 audits are listed" in response.content.decode()
