"""The learning loop: done with a note, signed off or returned by the region's manager only, in
history; a follow-up audit once the actions are signed off; reflections and moderation seen."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audits.models import Audit, AuditStatus, Grade, LearningAction, Moderation, ModerationJudgement
from audits.tests.factories import AuditTemplateFactory, CompletedAuditFactory, CriterionFactory, JudgementFactory
from cases.tests.factories import CaseFactory
from organisation.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def audit(practitioner, auditor, team):
    return CompletedAuditFactory(
        case__reference="NE-LOOP-1", case__team=team, case__practitioner=practitioner, auditor=auditor
    )


@pytest.fixture
def action(audit):
    return LearningAction.objects.create(
        audit=audit, description="Use the direct-work toolkit", due_on=TODAY + datetime.timedelta(days=7)
    )


def url(action):
    return reverse("audits:action", args=[action.audit_id, action.pk])


def post(client, action, **data):
    return client.post(url(action), data)


def mark_done(client, practitioner, action, note="I used the toolkit with both children's wishes sessions."):
    client.force_login(practitioner)
    return post(client, action, decision="done", done_note=note)


def history(action):
    return list(LearningAction.history.filter(id=action.pk).order_by("history_id"))


# ---- the practitioner marks it done --------------------------------------------------------------


def test_practitioner_marks_an_action_done_with_a_note_kept_in_history(client, practitioner, action):
    response = mark_done(client, practitioner, action)
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.status, action.completed_on) == ("done", TODAY)
    assert action.done_note.startswith("I used the toolkit")
    last = history(action)[-1]
    assert (last.status, last.history_user_id) == ("done", practitioner.pk)
    page = client.get(url(action)).content.decode()
    assert "Done, awaiting sign-off" in page and "I used the toolkit" in page


def test_done_without_a_note_is_refused_with_a_govuk_message(client, practitioner, action):
    response = mark_done(client, practitioner, action, note="  ")
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Say what you did and what changed in your practice." in html
    assert "This field is required" not in html
    assert LearningAction.objects.get(pk=action.pk).status == "open"


@pytest.mark.parametrize("who", ["auditor", "service_manager"])
def test_only_the_practitioner_marks_it_done(client, request, action, who):
    client.force_login(request.getfixturevalue(who))
    assert post(client, action, decision="done", done_note="x").status_code == 403
    assert LearningAction.objects.get(pk=action.pk).status == "open"


def test_a_colleague_cannot_open_my_action(client, colleague, action):
    client.force_login(colleague)
    assert client.get(url(action)).status_code == 404


# ---- the manager signs off or returns ------------------------------------------------------------


def test_manager_of_the_region_signs_off_with_history(client, practitioner, service_manager, action):
    mark_done(client, practitioner, action)
    client.force_login(service_manager)
    page = client.get(url(action)).content.decode()
    assert "Sign off this action" in page
    assert post(client, action, decision="sign_off").status_code == 302
    action.refresh_from_db()
    assert (action.status, action.signed_off_by_id) == ("signed_off", service_manager.pk)
    rows = history(action)
    assert [r.status for r in rows] == ["open", "done", "signed_off"]
    assert (rows[-1].history_user_id, rows[-2].history_user_id) == (service_manager.pk, practitioner.pk)
    # The page lists who changed what, before and after.
    page = client.get(url(action)).content.decode()
    assert "Done, awaiting sign-off → Signed off" in page
    assert "Sam Manager" in page


def test_manager_returns_it_with_a_reason_and_it_is_back_on_the_practitioners_list(
    client, practitioner, service_manager, action
):
    mark_done(client, practitioner, action)
    client.force_login(service_manager)
    assert (
        post(client, action, decision="return", return_reason="Say how the child's views shaped it.").status_code == 302
    )
    action.refresh_from_db()
    assert (action.status, action.completed_on) == ("open", None)
    assert action.return_reason == "Say how the child's views shaped it."
    assert [r.status for r in history(action)] == ["open", "done", "open"]
    client.force_login(practitioner)
    body = client.get("/my-work/").content.decode()
    assert url(action) in body and "Returned by your manager" in body


def test_return_without_a_reason_is_refused(client, practitioner, service_manager, action):
    mark_done(client, practitioner, action)
    client.force_login(service_manager)
    response = post(client, action, decision="return", return_reason="")
    assert response.status_code == 400
    assert "Say why you are returning it" in response.content.decode()
    assert LearningAction.objects.get(pk=action.pk).status == "done"


@pytest.mark.parametrize("who", ["auditor", "practitioner", "quality_admin"])
def test_nobody_but_the_regions_manager_signs_off(client, request, practitioner, action, who):
    mark_done(client, practitioner, action)
    client.force_login(request.getfixturevalue(who))
    assert post(client, action, decision="sign_off").status_code == 403
    assert post(client, action, decision="return", return_reason="No").status_code == 403
    assert LearningAction.objects.get(pk=action.pk).status == "done"


def test_another_regions_manager_gets_404(client, practitioner, other_manager, action):
    mark_done(client, practitioner, action)
    client.force_login(other_manager)
    assert post(client, action, decision="sign_off").status_code == 404
    assert LearningAction.objects.get(pk=action.pk).status == "done"


def test_an_open_action_cannot_be_signed_off(client, service_manager, action):
    client.force_login(service_manager)
    response = post(client, action, decision="sign_off")
    assert response.status_code == 400
    assert "Only an action the practitioner has marked done can be signed off." in response.content.decode()


# ---- follow-up audit ---------------------------------------------------------------------------------


def test_follow_up_audit_is_scheduled_once_the_actions_are_signed_off(
    client, practitioner, auditor, service_manager, audit, action, team
):
    second = LearningAction.objects.create(audit=audit, description="Second", due_on=TODAY)
    other_case = CaseFactory(reference="NE-LOOP-2", team=team, practitioner=practitioner)
    client.force_login(auditor)
    assert client.post(reverse("audits:follow_up", args=[audit.pk])).status_code == 302
    assert Audit.objects.get(pk=audit.pk).follow_up_requested
    for a in (action, second):
        mark_done(client, practitioner, a)
    client.force_login(service_manager)
    post(client, action, decision="sign_off")
    assert not Audit.objects.filter(follow_up_of=audit).exists()  # one still waits for sign-off
    post(client, second, decision="sign_off")
    follow_up = Audit.objects.get(follow_up_of=audit)
    assert (follow_up.case_id, follow_up.auditor_id, follow_up.status) == (other_case.pk, auditor.pk, "scheduled")
    assert follow_up.due_on > TODAY
    assert follow_up.template.slug == audit.template.slug
    # It joins the schedule: the auditor's work list has it.
    client.force_login(auditor)
    assert reverse("audits:detail", args=[follow_up.pk]) in client.get("/my-work/").content.decode()


def test_follow_up_asked_after_sign_off_is_scheduled_at_once(client, practitioner, auditor, service_manager, action):
    mark_done(client, practitioner, action)
    client.force_login(service_manager)
    post(client, action, decision="sign_off")
    response = client.post(reverse("audits:follow_up", args=[action.audit_id]), follow=True)
    assert "Follow-up audit of case NE-LOOP-1 scheduled" in response.content.decode()
    assert Audit.objects.filter(follow_up_of_id=action.audit_id, status=AuditStatus.SCHEDULED).count() == 1


def test_a_practitioner_cannot_ask_for_a_follow_up(client, practitioner, audit):
    client.force_login(practitioner)
    assert client.post(reverse("audits:follow_up", args=[audit.pk])).status_code == 403


# ---- the reflective response on the audit page ------------------------------------------------------


REFLECTION = "Next time I will record how the wishes were gathered."


@pytest.mark.parametrize("who", ["auditor", "service_manager", "practitioner"])
def test_reflection_is_shown_to_the_auditor_the_manager_and_the_practitioner(client, request, audit, who):
    Audit.objects.filter(pk=audit.pk).update(practitioner_response=REFLECTION)
    client.force_login(request.getfixturevalue(who))
    assert REFLECTION in client.get(reverse("audits:detail", args=[audit.pk])).content.decode()


def test_reflection_is_not_shown_to_another_auditor_of_the_region(client, audit, team):
    Audit.objects.filter(pk=audit.pk).update(practitioner_response=REFLECTION)
    client.force_login(UserFactory(username="aud2", team=team, roles=["auditor"]))
    page = client.get(reverse("audits:detail", args=[audit.pk]))
    assert page.status_code == 200 and REFLECTION not in page.content.decode()


def test_reflection_is_not_shown_to_another_region(client, audit, other_manager):
    Audit.objects.filter(pk=audit.pk).update(practitioner_response=REFLECTION)
    client.force_login(other_manager)
    assert client.get(reverse("audits:detail", args=[audit.pk])).status_code == 404


# ---- moderation: blind, then side by side ------------------------------------------------------------


def test_moderation_is_graded_per_criterion_then_shown_side_by_side_to_the_auditor(client, audit, auditor, team):
    template = AuditTemplateFactory()
    Audit.objects.filter(pk=audit.pk).update(template=template)
    audit.refresh_from_db()
    c1 = CriterionFactory(template=template, order=1, text="Wishes recorded")
    c2 = CriterionFactory(template=template, order=2, text="Risk analysed")
    JudgementFactory(audit=audit, criterion=c1, grade=Grade.GOOD, evidence="Wishes clear in the report")
    JudgementFactory(audit=audit, criterion=c2, grade=Grade.GOOD, evidence="Risk section present")
    moderator = UserFactory(username="mod", full_name="Mo Moderator", team=team, roles=["auditor"])
    Moderation.objects.create(audit=audit, moderator=moderator)
    client.force_login(moderator)
    moderate = reverse("audits:moderate", args=[audit.pk])
    blind = client.get(moderate).content.decode()
    assert "Wishes clear in the report" in blind and 'data-testid="overall-grade"' not in blind
    missing = client.post(moderate, {"grade": "2"})
    assert f"Select your grade for “{c1.text}”" in missing.content.decode()
    assert not ModerationJudgement.objects.exists()
    data = {"grade": "2", "notes": "Thin on risk.", f"m{c1.pk}-grade": "3", f"m{c2.pk}-grade": "2"}
    data[f"m{c2.pk}-note"] = "No analysis of the risk found"
    assert client.post(moderate, data).status_code == 302
    client.force_login(auditor)
    page = client.get(reverse("audits:detail", args=[audit.pk])).content.decode()
    table = page[page.index('data-testid="moderation-comparison"') :]
    assert "Risk section present" in table and "No analysis of the risk found" in table
    assert table.count("Differs") == 1  # only "Risk analysed" differs (Good against Meets standard)
    assert "Thin on risk." in page and "Mo Moderator" in page


def test_the_action_page_costs_the_same_queries_however_long_its_history(
    client, practitioner, service_manager, action, django_assert_max_num_queries
):
    client.force_login(service_manager)
    client.get(url(action))
    # session, user, groups, audit (with its case, people and moderation), the action, its history
    with django_assert_max_num_queries(6):
        assert client.get(url(action)).status_code == 200
    for n in range(5):
        mark_done(client, practitioner, action, note=f"Attempt {n}")
        client.force_login(service_manager)
        post(client, action, decision="return", return_reason=f"Not yet {n}")
    client.get(url(action))  # shows (and so clears) the last confirmation message
    with django_assert_max_num_queries(6):
        page = client.get(url(action))
    assert page.content.decode().count("Not yet") >= 5


def test_a_follow_up_that_cannot_be_scheduled_never_undoes_the_sign_off(
    client, practitioner, auditor, service_manager, audit, action
):
    Audit.objects.filter(pk=audit.pk).update(follow_up_requested=True)
    auditor.groups.clear()  # nobody may audit the practitioner's work now
    mark_done(client, practitioner, action)
    client.force_login(service_manager)
    assert post(client, action, decision="sign_off").status_code == 302
    assert LearningAction.objects.get(pk=action.pk).status == "signed_off"
    assert not Audit.objects.filter(follow_up_of=audit).exists()


def test_an_audit_without_actions_gets_its_follow_up_at_once(client, auditor, audit):
    client.force_login(auditor)
    client.post(reverse("audits:follow_up", args=[audit.pk]))
    assert Audit.objects.filter(follow_up_of=audit, status="scheduled").count() == 1


def test_the_audit_history_shows_the_loop_to_the_manager(client, practitioner, auditor, service_manager, audit, action):
    mark_done(client, practitioner, action, note="Used it twice")
    client.force_login(auditor)
    client.post(reverse("audits:follow_up", args=[audit.pk]))
    client.force_login(service_manager)
    history_html = (
        client.get(reverse("audits:detail", args=[audit.pk]))
        .content.decode()
        .split('<h2 class="govuk-heading-m" id="history">', 1)[1]
    )
    assert "Follow-up audit asked for: No → Yes" in history_html
    assert "What changed: Used it twice" in history_html
    assert "Ada Auditor" in history_html and "Priya Practitioner" in history_html
