"""Moderation: sampling completed audits and recording a blind second grade that becomes final."""

import random

import pytest
from django.core.exceptions import ValidationError

from audits.models import Audit, Grade, Moderation
from audits.services import moderation_record, moderation_sample
from audits.signals import moderation_completed
from audits.tests.factories import CompletedAuditFactory
from cases.models import Case
from organisation.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def completed(practitioner, auditor):
    from cases.tests.factories import CaseFactory

    audits = []
    for _ in range(10):
        case = CaseFactory(team=practitioner.team, practitioner=practitioner)
        audits.append(CompletedAuditFactory(case=case, auditor=auditor, overall_grade=Grade.GOOD))
    return audits


def test_sample_draws_the_share_and_never_gives_an_audit_to_its_auditor_or_practitioner(
    completed, auditor, practitioner, team
):
    moderator = UserFactory(username="mod", team=team, roles=["auditor"])
    created = moderation_sample(share=0.3, rng=random.Random(7))
    assert len(created) == 3  # 30% of 10
    assert {m.moderator for m in created} == {moderator}
    # Sampling again draws only from audits not yet sampled.
    again = moderation_sample(share=1, rng=random.Random(7))
    assert len(again) == 7
    assert Moderation.objects.count() == 10


def test_sample_skips_audits_with_no_eligible_moderator(completed):
    assert moderation_sample(share=1, rng=random.Random(1)) == []  # the only auditor did the audits


def test_moderated_grade_becomes_final_and_is_announced_on_commit(completed, team, django_capture_on_commit_callbacks):
    moderator = UserFactory(username="mod", team=team, roles=["auditor"])
    audit = completed[0]
    Case.objects.filter(pk=audit.case_id).update(last_audit_grade=3, last_audited_on=audit.completed_on)
    moderation = Moderation.objects.create(audit=audit, moderator=moderator)
    received = []

    def receiver(sender, audit, **kwargs):
        received.append(audit.pk)

    moderation_completed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            moderation_record(moderation=moderation, by=moderator, grade=Grade.MEETS_STANDARD)
            assert received == []
    finally:
        moderation_completed.disconnect(receiver)
    assert received == [audit.pk]
    audit = Audit.objects.get(pk=audit.pk)
    assert (audit.overall_grade, audit.final_grade) == (Grade.GOOD, Grade.MEETS_STANDARD)
    assert Case.objects.get(pk=audit.case_id).last_audit_grade == Grade.MEETS_STANDARD
    assert audit.history.latest().history_user == moderator


def test_the_auditor_or_practitioner_may_not_moderate(completed, auditor, practitioner):
    audit = completed[0]
    for person in (auditor, practitioner):
        moderation = Moderation(audit=audit, moderator=person)
        moderation.save()
        with pytest.raises(ValidationError):
            moderation_record(moderation=moderation, by=person, grade=Grade.GOOD)
        moderation.delete()
    assert Audit.objects.get(pk=audit.pk).final_grade == Grade.GOOD


def test_only_the_assigned_moderator_may_record(completed, team, colleague):
    moderator = UserFactory(username="mod", team=team, roles=["auditor"])
    moderation = Moderation.objects.create(audit=completed[0], moderator=moderator)
    with pytest.raises(ValidationError):
        moderation_record(moderation=moderation, by=colleague, grade=Grade.GOOD)


# ---- the moderation page ------------------------------------------------------------------------


@pytest.fixture
def moderated(completed, team):
    from django.urls import reverse

    moderator = UserFactory(username="mod", full_name="Mo Moderator", team=team, roles=["auditor"])
    audit = completed[0]
    Moderation.objects.create(audit=audit, moderator=moderator)
    return audit, moderator, reverse("audits:moderate", args=[audit.pk])


def test_moderator_grades_blind_and_the_grade_becomes_final(client, moderated, django_assert_max_num_queries):
    from django.urls import reverse

    audit, moderator, url = moderated
    client.force_login(moderator)
    detail = client.get(reverse("audits:detail", args=[audit.pk])).content.decode()
    assert "Moderate this audit" in detail
    assert 'data-testid="overall-grade"' not in detail  # the auditor's grade is hidden
    # session, user, groups, audit (with its moderation), criteria, judgements, the access record
    with django_assert_max_num_queries(7):
        page = client.get(url)
    assert page.status_code == 200
    response = client.post(url, {"grade": "2", "notes": "Analysis thinner than graded."})
    assert response.status_code == 302
    audit.refresh_from_db()
    assert (audit.overall_grade, audit.final_grade) == (Grade.GOOD, Grade.MEETS_STANDARD)
    assert client.get(url).status_code == 302  # done: back to the audit


def test_moderation_page_refuses_others_and_bad_input(client, moderated, auditor):
    audit, moderator, url = moderated
    client.force_login(auditor)
    assert client.get(url).status_code == 403
    client.force_login(moderator)
    response = client.post(url, {"grade": "excellent"})
    assert response.status_code == 200
    assert "Select one of the four grades" in response.content.decode()
    assert Audit.objects.get(pk=audit.pk).final_grade == Grade.GOOD


def test_recording_a_moderation_copies_its_grade_onto_the_audit(completed, team):
    moderator = UserFactory(username="mod", team=team, roles=["auditor"])
    audit = completed[0]
    moderation = Moderation.objects.create(audit=audit, moderator=moderator)
    assert audit.moderated_grade is None
    moderation_record(moderation=moderation, by=moderator, grade=Grade.REQUIRES_IMPROVEMENT)
    audit.refresh_from_db()
    assert (audit.final_grade, audit.moderated_grade) == (Grade.REQUIRES_IMPROVEMENT, Grade.REQUIRES_IMPROVEMENT)
