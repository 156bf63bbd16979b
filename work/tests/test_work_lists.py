"""Each role's work list on hand-built data: the items, soonest first, their tags and links, and
nothing from another region; the navigation count; constant queries whatever the length."""

import datetime
import re

import pytest
from django.urls import reverse

from audits.models import LearningAction
from audits.tests.factories import AuditFactory
from cases.tests.factories import CaseFactory

from .conftest import day

pytestmark = pytest.mark.django_db

ROW = re.compile(
    r'<tr class="govuk-table__row" data-testid="work-item" data-kind="([a-z_]+)" data-state="([a-z_]+)">\s*'
    r'<td class="govuk-table__cell"><a class="govuk-link" href="([^"]+)">[^<]*</a>.*?'
    r'<strong class="govuk-tag ([a-z-]+)">([^<]+)</strong>',
    re.S,
)


def rows(client, person, path="/my-work/"):
    client.force_login(person)
    response = client.get(path)
    assert response.status_code == 200
    return [(kind, url, state, text) for kind, state, url, css, text in ROW.findall(response.content.decode())]


def audit_url(audit):
    return reverse("audits:detail", args=[audit.pk])


def action_url(action):
    return reverse("audits:action", args=[action.audit_id, action.pk])


def plan_url(action):
    return f"/plans/{action.objective.plan_id}/#action-{action.pk}"


def test_auditor_has_audits_to_grade_and_moderations_soonest_first(client, world):
    t = world.things
    assert rows(client, world.people["auditor"]) == [
        ("audit", audit_url(t["grade_overdue"]), "overdue", "Overdue"),
        ("audit", audit_url(t["grade_soon"]), "due_soon", "Due soon"),
        ("moderation", reverse("audits:moderate", args=[t["moderation"].audit_id]), "due_soon", "Due soon"),
        ("audit", audit_url(t["grade_later"]), "due", "Due"),
    ]


def test_practitioner_has_actions_reflections_and_links(client, world):
    t = world.things
    assert rows(client, world.people["practitioner"]) == [
        ("learning_action", action_url(t["action_overdue"]), "overdue", "Overdue"),
        ("feedback_link", "/cases/NE-0001/", "due_soon", "Due soon"),
        ("learning_action", action_url(t["action_returned"]), "due", "Due"),
        ("reflection", reverse("audits:response", args=[t["reflect"].pk]), "due", "Due"),
        # The moderated audit of NE-0002 (completed 5 days ago) waits for a reflection too.
        ("reflection", reverse("audits:response", args=[t["moderation"].audit_id]), "due", "Due"),
    ]


def complaint_url(complaint) -> str:
    return reverse("feedback:complaint", args=[complaint.pk])


def test_a_returned_action_says_so(client, world):
    client.force_login(world.people["practitioner"])
    html = client.get("/my-work/").content.decode()
    returned = html[html.index(action_url(world.things["action_returned"])) :]
    assert returned.index("Returned by your manager") < returned.index("</tr>")


def test_service_manager_has_sign_offs_overdue_work_complaints_and_plan_actions_of_the_region(client, world):
    t = world.things
    assert rows(client, world.people["service_manager"]) == [
        ("overdue_audit", audit_url(t["region_overdue"]), "overdue", "Overdue"),
        ("overdue_audit", audit_url(t["grade_overdue"]), "overdue", "Overdue"),
        ("learning_action", action_url(t["action_overdue"]), "overdue", "Overdue"),
        ("complaint", complaint_url(t["complaint"]), "due_soon", "Due soon"),
        ("plan_action", plan_url(t["plan_owned"]), "due_soon", "Due soon"),
        ("learning_action", action_url(t["action_done"]), "due", "Due"),  # to sign off
    ]


def test_another_regions_manager_sees_none_of_this_regions_work(client, world):
    t = world.things
    listed = rows(client, world.people["other_manager"])
    urls = {url for _kind, url, _state, _text in listed}
    assert audit_url(t["other_overdue"]) in urls and action_url(t["other_action_overdue"]) in urls
    for mine in ("grade_overdue", "region_overdue"):
        assert audit_url(t[mine]) not in urls
    for mine in ("action_overdue", "action_done"):
        assert action_url(t[mine]) not in urls
    assert len(listed) == 4  # a sign-off, an overdue audit, an overdue action, a complaint: all South West


def test_assistant_director_sees_overdue_work_nationally(client, world):
    t = world.things
    assert [(kind, url) for kind, url, _s, _t in rows(client, world.people["assistant_director"])] == [
        ("overdue_audit", audit_url(t["region_overdue"])),  # 20 days
        ("overdue_audit", audit_url(t["other_overdue"])),  # 15 days
        ("plan_action", plan_url(t["plan_overdue"])),  # 4 days
        ("learning_action", action_url(t["other_action_overdue"])),  # 3 days
        ("overdue_audit", audit_url(t["grade_overdue"])),  # 2 days
        ("learning_action", action_url(t["action_overdue"])),  # 1 day
        ("complaint", complaint_url(t["complaint"])),  # due tomorrow
        ("complaint", complaint_url(t["complaint_sw"])),  # due in 2 days
    ]


def test_board_member_has_overdue_plan_actions_only(client, world):
    assert rows(client, world.people["board_member"]) == [
        ("plan_action", plan_url(world.things["plan_overdue"]), "overdue", "Overdue")
    ]


def test_the_home_page_shows_the_same_list(client, world):
    person = world.people["auditor"]
    assert rows(client, person, "/") == rows(client, person, "/my-work/")


def test_the_navigation_count_is_the_number_of_items(client, world):
    client.force_login(world.people["service_manager"])
    html = client.get(reverse("work:count")).content.decode()
    assert 'data-testid="work-count">6<' in html
    client.force_login(world.people["board_member"])
    assert 'data-testid="work-count">1<' in client.get(reverse("work:count")).content.decode()


def test_nothing_to_do_says_so_and_shows_no_count(client, colleague):
    client.force_login(colleague)
    assert "Nothing is waiting for you." in client.get("/my-work/").content.decode()
    assert "work-count" not in client.get(reverse("work:count")).content.decode()


@pytest.mark.parametrize("who", ["auditor", "practitioner", "service_manager", "assistant_director"])
def test_work_list_queries_do_not_grow_with_the_list(client, world, request, who, django_assert_max_num_queries):
    person = world.people[who]
    client.force_login(person)
    client.get("/my-work/")  # warm the session
    with django_assert_max_num_queries(30) as few:
        client.get("/my-work/")
    # Many more items of every kind this person is chased for.
    case = CaseFactory(team=world.people["practitioner"].team, practitioner=world.people["practitioner"])
    for n in range(15):
        AuditFactory(case=case, auditor=world.people["auditor"], due_on=day(-n))
        LearningAction.objects.create(audit=world.things["reflect"], description="x", due_on=day(-n - 1))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/my-work/")
    assert response.status_code == 200


def test_the_list_reads_at_most_the_limit_per_kind_and_says_how_many_more(client, world, settings):
    from work import items

    original = items.LIMIT
    items.LIMIT = 2
    try:
        client.force_login(world.people["auditor"])
        html = client.get("/my-work/").content.decode()
    finally:
        items.LIMIT = original
    # Three to grade, two shown: the list reads one row more than it shows and counts no further.
    assert "Showing the first 2 of more than 2 audits to grade" in html


def test_sign_in_is_needed(client):
    assert client.get("/my-work/").status_code == 302
    assert client.get(reverse("work:count")).status_code == 302


def test_an_item_due_exactly_a_week_ahead_is_due_soon_and_a_day_later_is_not():
    from work.items import WorkItem

    today = datetime.date(2026, 3, 2)
    soon = WorkItem("audit", 1, "x", today + datetime.timedelta(days=7), "/")
    later = WorkItem("audit", 2, "x", today + datetime.timedelta(days=8), "/")
    past = WorkItem("audit", 3, "x", today - datetime.timedelta(days=1), "/")
    assert (soon.state(today), later.state(today), past.state(today)) == ("due_soon", "due", "overdue")


def test_the_national_roles_see_sign_offs_waiting_too_long_in_any_region(client, world):
    from audits.models import LearningAction

    late = LearningAction.objects.filter(audit__region__code="south-west", status="done").get()
    LearningAction.objects.filter(pk=late.pk).update(completed_on=day(-20))  # 14 days to sign off: 6 days late
    listed = rows(client, world.people["assistant_director"])
    assert ("learning_action", action_url(late), "overdue", "Overdue") in listed
    # Due 6 days ago: after the audits 20 and 15 days overdue, before the plan action 4 days overdue.
    assert [url for _k, url, _s, _t in listed].index(action_url(late)) == 2
    # The region's own manager has it once, as a sign-off.
    other = [url for _k, url, _s, _t in rows(client, world.people["other_manager"])]
    assert other.count(action_url(late)) == 1


def test_every_complaint_on_a_work_list_opens_for_its_reader(client, world):
    for who in ("service_manager", "other_manager", "assistant_director"):
        client.force_login(world.people[who])
        listed = [url for kind, url, _s, _t in rows(client, world.people[who]) if kind == "complaint"]
        assert listed, who
        for url in listed:
            assert client.get(url).status_code == 200, (who, url)


def test_the_navigation_count_stops_at_the_limit_and_says_so(client, world):
    from work import items

    original = items.LIMIT
    items.LIMIT = 2
    try:
        client.force_login(world.people["auditor"])
        html = client.get(reverse("work:count")).content.decode()
    finally:
        items.LIMIT = original
    # Three audits to grade (counted up to 2: "more than 2") and one moderation.
    assert 'data-testid="work-count">3+<span class="govuk-visually-hidden"> items: more than 3</span>' in html


def test_the_home_page_shows_the_soonest_few_of_each_kind_and_links_to_all(client, world, monkeypatch):
    from work import views

    monkeypatch.setattr(views, "HOME_LIMIT", 2)
    client.force_login(world.people["auditor"])
    home = client.get("/").content.decode()
    assert "Showing the first 2 of more than 2 audits to grade" in home
    assert 'href="/my-work/">See all your work</a>' in home
    assert "Showing the first" not in client.get("/my-work/").content.decode()  # all 3 there
