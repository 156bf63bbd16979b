"""The grading pages: access, one section at a time, bad input, the lock, check answers, submit."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audits.models import Audit, AuditStatus, Grade, Judgement, LearningAction
from organisation.tests.factories import UserFactory

from .grading_helpers import audit_of, private_case, small_template, wide_template

pytestmark = pytest.mark.django_db


@pytest.fixture
def graded(practitioner, auditor):
    template, criteria = small_template()
    audit = audit_of(private_case(practitioner), auditor, template)
    return audit, criteria


def section_url(audit, n):
    return reverse("audits:section", args=[audit.pk, n])


def post_section_1(client, audit, criteria, *, version=1, needs="3", action="continue", **extra):
    data = {
        "version": str(version),
        "action": action,
        f"c{criteria['needs'].pk}-grade": needs,
        f"c{criteria['needs'].pk}-evidence": "Identity and culture explored.",
        f"c{criteria['wishes'].pk}-grade": "3",
        f"c{criteria['wishes'].pk}-evidence": "",
        f"c{criteria['seen'].pk}-answer": "yes",
        f"c{criteria['seen'].pk}-evidence": "Seen at school.",
    }
    data.update(extra)
    return client.post(section_url(audit, 1), data)


# ---- who may open what --------------------------------------------------------------------


def test_auditor_sees_the_sections_to_grade(client, graded, auditor):
    audit, _ = graded
    client.force_login(auditor)
    page = client.get(reverse("audits:detail", args=[audit.pk])).content.decode()
    assert "1. The child" in page and "2. Analysis" in page
    assert "Check answers and submit" in page


def test_manager_of_another_region_gets_404_on_the_audit_page(client, graded, other_manager):
    audit, _ = graded
    client.force_login(other_manager)
    assert client.get(reverse("audits:detail", args=[audit.pk])).status_code == 404
    assert client.get(section_url(audit, 1)).status_code == 404


def test_practitioner_gets_403_when_trying_to_grade(client, graded, practitioner):
    audit, criteria = graded
    client.force_login(practitioner)
    assert client.get(reverse("audits:detail", args=[audit.pk])).status_code == 200
    assert client.get(section_url(audit, 1)).status_code == 403
    assert post_section_1(client, audit, criteria).status_code == 403
    assert client.get(reverse("audits:check", args=[audit.pk])).status_code == 403
    assert not Judgement.objects.exists()


def test_colleague_practitioner_cannot_see_anothers_audit(client, graded, colleague):
    audit, _ = graded
    client.force_login(colleague)
    assert client.get(reverse("audits:detail", args=[audit.pk])).status_code == 404


def test_practitioner_does_not_see_draft_grades(client, graded, auditor, practitioner):
    audit, criteria = graded
    client.force_login(auditor)
    post_section_1(client, audit, criteria, action="later")
    client.force_login(practitioner)
    page = client.get(reverse("audits:detail", args=[audit.pk])).content.decode()
    assert "Identity and culture explored." not in page
    assert "once the audit is complete" in page


def test_unknown_audit_and_section_are_404(client, graded, auditor):
    audit, _ = graded
    client.force_login(auditor)
    assert client.get(reverse("audits:detail", args=[audit.pk + 1000])).status_code == 404
    assert client.get(section_url(audit, 3)).status_code == 404
    assert client.get(section_url(audit, 0)).status_code == 404


# ---- one section at a time ----------------------------------------------------------------


def test_section_page_shows_its_questions_and_skips_other_law_type(client, graded, auditor):
    audit, _ = graded
    client.force_login(auditor)
    page = client.get(section_url(audit, 2)).content.decode()
    assert "The analysis is clear" in page
    assert "Pre-proceedings work is explained" not in page  # public law only; this is a private law case
    assert 'name="version" value="1"' in page


def test_save_and_continue_goes_to_the_next_section(client, graded, auditor):
    audit, criteria = graded
    client.force_login(auditor)
    response = post_section_1(client, audit, criteria)
    assert response.status_code == 302 and response.url == section_url(audit, 2)
    assert Judgement.objects.filter(audit=audit).count() == 3
    audit.refresh_from_db()
    assert (audit.status, audit.version) == (AuditStatus.IN_PROGRESS, 2)


def test_save_and_come_back_later_keeps_a_partial_draft(client, graded, auditor):
    audit, criteria = graded
    client.force_login(auditor)
    response = post_section_1(client, audit, criteria, action="later", **{f"c{criteria['wishes'].pk}-grade": ""})
    assert response.status_code == 302 and response.url == reverse("audits:detail", args=[audit.pk])
    assert set(Judgement.objects.filter(audit=audit).values_list("criterion__code", flat=True)) == {"needs", "seen"}
    page = client.get(section_url(audit, 1)).content.decode()  # the draft survives a closed tab
    assert "Identity and culture explored." in page
    assert (
        f'id="id_c{criteria["needs"].pk}-grade_2" name="c{criteria["needs"].pk}-grade" type="radio" value="3" checked'
        in page
    )


def test_save_and_continue_with_a_missing_grade_shows_an_error(client, graded, auditor):
    audit, criteria = graded
    client.force_login(auditor)
    response = post_section_1(client, audit, criteria, **{f"c{criteria['wishes'].pk}-grade": ""})
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Select a grade for “Wishes and feelings are clear”" in page
    assert not Judgement.objects.exists()


@pytest.mark.parametrize(
    "field, value",
    [("needs", "7"), ("needs", "Good"), ("needs", "-1"), ("seen", "maybe"), ("version", "abc"), ("version", "")],
)
def test_invalid_values_show_errors_not_500(client, graded, auditor, field, value):
    audit, criteria = graded
    client.force_login(auditor)
    if field == "version":
        response = post_section_1(client, audit, criteria, version=value)
    elif field == "seen":
        response = post_section_1(client, audit, criteria, **{f"c{criteria['seen'].pk}-answer": value})
    else:
        response = post_section_1(client, audit, criteria, needs=value)
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert not Judgement.objects.exists()
    assert Audit.objects.get(pk=audit.pk).version == 1


def test_an_answer_for_a_question_outside_the_section_is_ignored(client, graded, auditor):
    audit, criteria = graded
    client.force_login(auditor)
    response = post_section_1(client, audit, criteria, **{f"c{criteria['analysis'].pk}-grade": "1"})
    assert response.status_code == 302
    assert not Judgement.objects.filter(criterion=criteria["analysis"]).exists()


def test_second_of_two_concurrent_saves_is_refused_with_a_link_to_reload(client, graded, auditor):
    audit, criteria = graded
    client.force_login(auditor)
    first = post_section_1(client, audit, criteria, version=1, needs="4")
    assert first.status_code == 302
    second = post_section_1(client, audit, criteria, version=1, needs="1")
    page = second.content.decode()
    assert second.status_code == 409
    # The heading and the body agree: the same person saved in another tab.
    assert '<h2 class="govuk-error-summary__title">You saved this audit in another tab or window</h2>' in page
    assert "Someone else" not in page
    assert "You saved this audit in another tab or window at" in page
    assert f'href="{section_url(audit, 1)}"' in page
    assert Judgement.objects.get(criterion=criteria["needs"]).grade == Grade.OUTSTANDING  # nothing overwritten


def test_grading_page_has_constant_queries_as_criteria_grow(
    client, practitioner, auditor, django_assert_max_num_queries
):
    client.force_login(auditor)
    counts = []
    for n in (5, 25):
        audit = audit_of(private_case(practitioner), auditor, wide_template(n))
        # session, user, the user's groups (roles), the audit with its case, people and
        # template (one join), the template's criteria, the audit's judgements, the access record.
        with django_assert_max_num_queries(7) as captured:
            response = client.get(section_url(audit, 1))
        assert response.status_code == 200
        assert response.content.decode().count('class="govuk-radios__input"') == n * 4
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]


# ---- check answers, submit, confirmation ----------------------------------------------------


def grade_everything(client, audit, criteria, *, needs="1"):
    post_section_1(client, audit, criteria, needs=needs)
    client.post(
        section_url(audit, 2),
        {
            "version": "2",
            "action": "continue",
            f"c{criteria['analysis'].pk}-grade": "4",
            f"c{criteria['analysis'].pk}-evidence": "",
        },
    )


def test_check_page_explains_the_limiting_cap(client, graded, auditor):
    audit, criteria = graded
    client.force_login(auditor)
    grade_everything(client, audit, criteria, needs="1")
    page = client.get(reverse("audits:check", args=[audit.pk])).content.decode()
    # Graded: needs RI (limiting), wishes Good, analysis Outstanding -> sorted RI, Good, Out: middle Good.
    assert "Suggested overall grade: <strong>Requires improvement</strong>" in page
    assert "Your grades would suggest Good" in page
    assert "The child&#x27;s unique needs are analysed</li>" in page


def test_check_page_without_cap_gives_the_middle_grade(client, graded, auditor):
    audit, criteria = graded
    client.force_login(auditor)
    grade_everything(client, audit, criteria, needs="2")
    page = client.get(reverse("audits:check", args=[audit.pk])).content.decode()
    # MS, Good, Out -> middle Good.
    assert "Suggested overall grade: <strong>Good</strong>" in page
    assert "No limiting criterion" in page


def test_submit_with_a_different_grade_needs_a_rationale(client, graded, auditor):
    audit, criteria = graded
    client.force_login(auditor)
    # MS, Good, Out -> suggested Good; a lower grade is allowed, with a rationale.
    # (Above a limiting ceiling no rationale helps: see test_limiting_ceiling.py.)
    grade_everything(client, audit, criteria, needs="2")
    url = reverse("audits:check", args=[audit.pk])
    response = client.post(url, {"overall_grade": "2", "rationale": "", "family_feedback": "no", "version": "3"})
    assert response.status_code == 200
    assert "Explain why your overall grade differs from the suggested grade (Good)" in (response.content.decode())
    assert Audit.objects.get(pk=audit.pk).status == AuditStatus.IN_PROGRESS


def test_submit_with_bad_values_shows_errors(client, graded, auditor):
    audit, criteria = graded
    client.force_login(auditor)
    grade_everything(client, audit, criteria)
    url = reverse("audits:check", args=[audit.pk])
    response = client.post(url, {"overall_grade": "9", "family_feedback": "perhaps", "version": "x"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Select one of the four grades" in page
    assert Audit.objects.get(pk=audit.pk).status == AuditStatus.IN_PROGRESS


def test_submit_before_every_answer_is_in_is_refused(client, graded, auditor):
    audit, criteria = graded
    client.force_login(auditor)
    post_section_1(client, audit, criteria)
    response = client.post(
        reverse("audits:check", args=[audit.pk]),
        {"overall_grade": "3", "family_feedback": "no", "version": "2"},
    )
    assert response.status_code == 200
    assert "1 is still unanswered" in response.content.decode()


def test_submit_completes_and_shows_the_confirmation_panel(client, graded, auditor):
    audit, criteria = graded
    client.force_login(auditor)
    grade_everything(client, audit, criteria)
    response = client.post(
        reverse("audits:check", args=[audit.pk]),
        {"overall_grade": "1", "rationale": "", "family_feedback": "yes", "version": "3"},
        follow=True,
    )
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("audits:confirmation", args=[audit.pk])
    assert "govuk-panel--confirmation" in page and "Requires improvement" in page
    audit.refresh_from_db()
    assert (audit.status, audit.final_grade, audit.family_feedback) == (AuditStatus.COMPLETED, 1, True)
    # The section pages are closed once the audit is complete.
    assert client.get(section_url(audit, 1)).status_code == 302


def test_submitting_twice_completes_once_and_announces_once(
    client, graded, auditor, django_capture_on_commit_callbacks
):
    from audits.signals import audit_completed

    audit, criteria = graded
    client.force_login(auditor)
    grade_everything(client, audit, criteria, needs="2")
    received = []

    def listener(sender, audit, **kwargs):
        received.append(audit.pk)

    audit_completed.connect(listener)
    data = {"overall_grade": "3", "rationale": "", "family_feedback": "yes", "version": "3"}
    try:
        with django_capture_on_commit_callbacks(execute=True):
            first = client.post(reverse("audits:check", args=[audit.pk]), data)
            second = client.post(reverse("audits:check", args=[audit.pk]), data)  # a double click, or Back then submit
    finally:
        audit_completed.disconnect(listener)
    assert first.status_code == 302 and second.status_code == 302
    assert second.url == reverse("audits:confirmation", args=[audit.pk])
    assert received == [audit.pk]
    assert Audit.history.filter(id=audit.pk, status=AuditStatus.COMPLETED).count() == 1


def test_a_submit_from_a_stale_page_is_refused_and_nothing_changes(client, graded, auditor):
    audit, criteria = graded
    client.force_login(auditor)
    grade_everything(client, audit, criteria, needs="2")
    response = client.post(
        reverse("audits:check", args=[audit.pk]),
        {
            "overall_grade": "3",
            "rationale": "",
            "family_feedback": "yes",
            "version": "2",
        },  # opened before the last save
    )
    assert response.status_code == 409
    assert "nothing was overwritten" in response.content.decode()
    audit.refresh_from_db()
    assert (audit.status, audit.overall_grade, audit.version) == (AuditStatus.IN_PROGRESS, None, 3)


def test_learning_action_added_from_the_check_page(client, graded, auditor):
    audit, _ = graded
    client.force_login(auditor)
    due = timezone.localdate() + datetime.timedelta(days=20)
    url = reverse("audits:learning_action_new", args=[audit.pk])
    response = client.post(
        url,
        {"description": "Use the identity toolkit", "due_on_0": due.day, "due_on_1": due.month, "due_on_2": due.year},
    )
    assert response.status_code == 302 and response.url == reverse("audits:check", args=[audit.pk])
    assert LearningAction.objects.get().due_on == due
    assert "Use the identity toolkit" in client.get(response.url).content.decode()


@pytest.mark.parametrize(
    "day, month, year",
    [("31", "2", "2030"), ("", "", ""), ("a", "1", "2030"), ("1", "1", "2001")],
)
def test_learning_action_with_a_bad_date_shows_an_error(client, graded, auditor, day, month, year):
    audit, _ = graded
    client.force_login(auditor)
    response = client.post(
        reverse("audits:learning_action_new", args=[audit.pk]),
        {"description": "Read", "due_on_0": day, "due_on_1": month, "due_on_2": year},
    )
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert not LearningAction.objects.exists()


# ---- read-only view and history ------------------------------------------------------------


def test_manager_sees_read_only_answers_and_history_with_who_and_before_after(client, graded, auditor, service_manager):
    audit, criteria = graded
    client.force_login(auditor)
    post_section_1(client, audit, criteria, needs="2", action="later")
    post_section_1(client, audit, criteria, version=2, needs="3", action="later")
    client.force_login(service_manager)
    page = client.get(reverse("audits:detail", args=[audit.pk])).content.decode()
    assert "Identity and culture explored." in page  # read-only answers
    assert 'data-testid="history"' in page
    assert "Grade: Meets standard → Good" in page
    assert "Ada Auditor" in page
    assert "Check answers and submit" not in page


def test_practitioner_does_not_see_the_history(client, graded, auditor, practitioner):
    audit, criteria = graded
    client.force_login(practitioner)
    page = client.get(reverse("audits:detail", args=[audit.pk])).content.decode()
    assert 'data-testid="history"' not in page and "History" not in page


def test_detail_page_has_constant_queries_as_history_grows(
    client, practitioner, auditor, service_manager, django_assert_max_num_queries
):
    template, criteria = small_template()
    counts = []
    for saves in (1, 6):
        audit = audit_of(private_case(practitioner), auditor, template)
        client.force_login(auditor)
        for version in range(1, saves + 1):
            post_section_1(client, audit, criteria, version=version, needs=str(1 + version % 4), action="later")
        client.force_login(service_manager)
        # session, user, groups, audit, criteria, judgements, learning actions, 3 history tables,
        # the access record
        with django_assert_max_num_queries(11) as captured:
            assert client.get(reverse("audits:detail", args=[audit.pk])).status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]


# ---- creating an audit ------------------------------------------------------------------------


def create_post(auditor_pk, template_pk, due=None):
    due = due or timezone.localdate() + datetime.timedelta(days=14)
    return {
        "auditor": auditor_pk,
        "template": template_pk,
        "due_on_0": due.day,
        "due_on_1": due.month,
        "due_on_2": due.year,
    }


def test_manager_creates_an_audit_for_a_case_in_their_region(client, practitioner, auditor, service_manager):
    case = private_case(practitioner)
    template, _ = small_template()
    client.force_login(service_manager)
    url = reverse("audits:new") + f"?case={case.reference}"
    assert client.get(url).status_code == 200
    response = client.post(url, create_post(auditor.pk, template.pk))
    audit = Audit.objects.get()
    assert response.status_code == 302 and response.url == reverse("audits:detail", args=[audit.pk])
    assert (audit.case, audit.auditor, audit.created_by) == (case, auditor, service_manager)


def test_creating_a_self_audit_is_refused_with_a_message(client, team, service_manager):
    both = UserFactory(username="fca-auditor", full_name="Dual Role", team=team, roles=["practitioner", "auditor"])
    case = private_case(both)
    template, _ = small_template()
    client.force_login(service_manager)
    response = client.post(reverse("audits:new") + f"?case={case.reference}", create_post(both.pk, template.pk))
    assert response.status_code == 200
    assert "nobody may audit a case they are allocated to" in response.content.decode()
    assert not Audit.objects.exists()


def test_manager_of_another_region_cannot_create_an_audit_of_the_case(client, practitioner, other_manager):
    case = private_case(practitioner)
    client.force_login(other_manager)
    response = client.get(reverse("audits:new") + f"?case={case.reference}")
    assert response.status_code == 404
    assert "that you can create an audit for" in response.content.decode()


def test_practitioner_and_auditor_cannot_create_audits(client, practitioner, auditor):
    for user in (practitioner, auditor):
        client.force_login(user)
        assert client.get(reverse("audits:new")).status_code == 403


def test_create_with_bad_input_shows_errors(client, practitioner, auditor, service_manager):
    case = private_case(practitioner)
    client.force_login(service_manager)
    url = reverse("audits:new") + f"?case={case.reference}"
    response = client.post(
        url, {"auditor": "nobody", "template": "", "due_on_0": "40", "due_on_1": "13", "due_on_2": "x"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Choose an auditor from the list" in page and "Choose a template" in page
    assert not Audit.objects.exists()


def test_a_case_reference_with_a_nul_byte_is_a_clear_400_rather_than_a_500(client, practitioner, service_manager):
    case = private_case(practitioner)
    client.force_login(service_manager)
    response = client.get(reverse("audits:new") + f"?case={case.reference[:2]}%00")
    assert response.status_code == 400  # the NUL middleware answers before any lookup
    assert "could not be read" in response.content.decode()
    assert not Audit.objects.exists()


# ---- the one loader ---------------------------------------------------------------------------


def test_get_audit_for_404_when_not_visible_and_403_when_not_the_auditor(
    graded, auditor, service_manager, other_manager, board_member
):
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    from audits.selectors import get_audit_for

    audit, _ = graded
    assert get_audit_for(auditor, audit.pk, write=True) == audit
    assert get_audit_for(service_manager, audit.pk) == audit
    with pytest.raises(PermissionDenied):
        get_audit_for(service_manager, audit.pk, write=True)
    for outsider in (other_manager, board_member):
        with pytest.raises(Http404):
            get_audit_for(outsider, audit.pk)
    with pytest.raises(Http404):
        get_audit_for(auditor, "not-a-number")


def test_quality_admin_sees_any_audit_with_its_history(client, graded, quality_admin):
    audit, _ = graded
    client.force_login(quality_admin)
    page = client.get(reverse("audits:detail", args=[audit.pk])).content.decode()
    assert 'data-testid="history"' in page


def test_public_law_case_shows_the_public_law_question(client, practitioner, auditor):
    from cases.tests.factories import CaseFactory

    template, _ = small_template()
    case = CaseFactory(
        team=practitioner.team, practitioner=practitioner, law_type="public", application_type="s31_care"
    )
    audit = audit_of(case, auditor, template)
    client.force_login(auditor)
    assert "Pre-proceedings work is explained" in client.get(section_url(audit, 2)).content.decode()
