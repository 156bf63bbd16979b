"""Audit workflow services: create, save a section (with the version lock), submit, complete."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audits.models import Audit, AuditStatus, Grade, Judgement, LearningAction
from audits.services import (
    AuditVersionConflict,
    JudgementInput,
    audit_cancel,
    audit_complete,
    audit_create,
    audit_save_section,
    audit_submit,
    learning_action_add,
)
from audits.signals import audit_completed
from cases.models import Case
from organisation.tests.factories import TeamFactory

from .grading_helpers import audit_of, private_case, small_template

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(practitioner, auditor):
    template, criteria = small_template()
    case = private_case(practitioner)
    audit = audit_of(case, auditor, template)
    return audit, criteria


def answer_all(audit, criteria, auditor, *, needs=Grade.GOOD):
    audit_save_section(
        audit=audit,
        by=auditor,
        judgements=[
            JudgementInput(criteria["needs"].pk, grade=needs, evidence="Identity explored with the child."),
            JudgementInput(criteria["wishes"].pk, grade=Grade.GOOD, evidence="Wishes in the child's words."),
            JudgementInput(criteria["seen"].pk, answer=True, evidence="Seen at school."),
            JudgementInput(criteria["analysis"].pk, grade=Grade.OUTSTANDING, evidence="Clear."),
        ],
        expected_version=audit.version,
    )


@pytest.fixture
def received():
    calls = []

    def receiver(sender, audit, **kwargs):
        calls.append((sender, audit.pk))

    audit_completed.connect(receiver)
    yield calls
    audit_completed.disconnect(receiver)


# ---- create -------------------------------------------------------------------------------


def test_audit_create_refuses_a_self_audit(practitioner):
    template, _ = small_template()
    case = private_case(practitioner)
    with pytest.raises(ValidationError) as error:
        audit_create(case=case, auditor=practitioner, template=template, due_on=None, by=practitioner)
    assert "allocated to" in str(error.value)
    assert not Audit.objects.exists()


def test_audit_create_schedules_an_audit(practitioner, auditor, service_manager):
    template, _ = small_template()
    case = private_case(practitioner)
    due = timezone.localdate() + datetime.timedelta(days=10)
    audit = audit_create(case=case, auditor=auditor, template=template, due_on=due, by=service_manager)
    assert (audit.status, audit.auditor, audit.due_on, audit.created_by) == (
        AuditStatus.SCHEDULED,
        auditor,
        due,
        service_manager,
    )
    assert audit.history.get().history_user == service_manager
    # The lists filter on the audit's own columns: the case's place and practitioner, from creation.
    assert (audit.region_id, audit.team_id, audit.practitioner_id) == (
        case.region_id,
        case.team_id,
        practitioner.pk,
    )


# ---- save a section ------------------------------------------------------------------------


def test_first_save_moves_scheduled_to_in_progress_and_stores_the_draft(setup, auditor):
    audit, criteria = setup
    audit_save_section(
        audit=audit,
        by=auditor,
        judgements=[JudgementInput(criteria["needs"].pk, grade=Grade.GOOD, evidence="Some evidence")],
        expected_version=1,
    )
    audit.refresh_from_db()
    assert audit.status == AuditStatus.IN_PROGRESS
    assert audit.started_at is not None
    assert audit.version == 2
    assert audit.last_saved_by == auditor
    judgement = Judgement.objects.get(audit=audit)
    assert (judgement.criterion_id, judgement.grade, judgement.evidence) == (
        criteria["needs"].pk,
        Grade.GOOD,
        "Some evidence",
    )


def test_second_save_with_the_same_version_is_refused_and_the_first_is_intact(setup, auditor):
    audit, criteria = setup
    first_page = Audit.objects.get(pk=audit.pk)  # two tabs opened at version 1
    second_page = Audit.objects.get(pk=audit.pk)
    audit_save_section(
        audit=first_page,
        by=auditor,
        judgements=[JudgementInput(criteria["needs"].pk, grade=Grade.OUTSTANDING, evidence="First")],
        expected_version=1,
    )
    with pytest.raises(AuditVersionConflict) as conflict:
        audit_save_section(
            audit=second_page,
            by=auditor,
            judgements=[
                JudgementInput(criteria["needs"].pk, grade=Grade.REQUIRES_IMPROVEMENT, evidence="Second"),
                JudgementInput(criteria["wishes"].pk, grade=Grade.GOOD, evidence="Second"),
            ],
            expected_version=1,
        )
    assert conflict.value.saved_by == auditor
    assert conflict.value.message.startswith("You saved this audit in another tab or window at ")
    rows = list(Judgement.objects.filter(audit=audit).values_list("criterion__code", "grade", "evidence"))
    assert rows == [("needs", Grade.OUTSTANDING, "First")]
    assert Audit.objects.get(pk=audit.pk).version == 2


def test_conflict_names_the_other_person_who_saved(setup, auditor, quality_admin):
    audit, criteria = setup
    # A quality admin corrected the audit (e.g. its due date) after the auditor opened the page.
    Audit.objects.filter(pk=audit.pk).update(version=2, last_saved_by=quality_admin, last_saved_at=timezone.now())
    with pytest.raises(AuditVersionConflict) as conflict:
        audit_save_section(
            audit=audit, by=auditor, judgements=[JudgementInput(criteria["needs"].pk, grade=3)], expected_version=1
        )
    assert conflict.value.message.startswith("Quinn Admin saved this audit at ")
    assert not Judgement.objects.exists()


def test_only_the_allocated_auditor_may_save(setup, colleague):
    audit, criteria = setup
    with pytest.raises(ValidationError):
        audit_save_section(
            audit=audit, by=colleague, judgements=[JudgementInput(criteria["needs"].pk, grade=3)], expected_version=1
        )
    assert not Judgement.objects.exists()


def test_an_answer_to_a_criterion_of_another_law_type_is_refused(setup, auditor):
    audit, criteria = setup  # a private law case: the public-only criterion does not apply
    with pytest.raises(ValidationError):
        audit_save_section(
            audit=audit,
            by=auditor,
            judgements=[JudgementInput(criteria["pre-proceedings"].pk, grade=3)],
            expected_version=1,
        )
    assert Audit.objects.get(pk=audit.pk).version == 1  # the claim rolled back too


def test_grade_changes_are_kept_in_history_with_who_and_when(setup, auditor):
    audit, criteria = setup
    before = timezone.now()
    for version, grade in [(1, Grade.MEETS_STANDARD), (2, Grade.GOOD)]:
        audit_save_section(
            audit=audit,
            by=auditor,
            judgements=[JudgementInput(criteria["wishes"].pk, grade=grade, evidence="E")],
            expected_version=version,
        )
    judgement = Judgement.objects.get(audit=audit)
    rows = list(judgement.history.order_by("history_date"))
    assert [r.grade for r in rows] == [Grade.MEETS_STANDARD, Grade.GOOD]
    assert [r.history_type for r in rows] == ["+", "~"]
    assert all(r.history_user == auditor and r.history_date >= before for r in rows)
    audit_rows = list(Audit.history.filter(id=audit.pk).order_by("history_date"))
    assert [r.status for r in audit_rows][-2:] == [AuditStatus.IN_PROGRESS, AuditStatus.IN_PROGRESS]
    assert audit_rows[-1].history_user == auditor


# ---- submit and complete --------------------------------------------------------------------


def test_submit_refuses_while_questions_are_unanswered(setup, auditor):
    audit, criteria = setup
    audit_save_section(
        audit=audit, by=auditor, judgements=[JudgementInput(criteria["needs"].pk, grade=3)], expected_version=1
    )
    with pytest.raises(ValidationError) as error:
        audit_submit(audit=audit, by=auditor, overall_grade=3, rationale="", family_feedback=False, expected_version=2)
    assert "3 are still unanswered" in str(error.value)
    assert Audit.objects.get(pk=audit.pk).status == AuditStatus.IN_PROGRESS


def test_submit_requires_a_rationale_when_the_grade_differs_from_the_suggestion(setup, auditor):
    audit, criteria = setup
    answer_all(audit, criteria, auditor)  # Good, Good, Outstanding -> suggestion Good
    with pytest.raises(ValidationError) as error:
        audit_submit(audit=audit, by=auditor, overall_grade=4, rationale=" ", family_feedback=False, expected_version=2)
    assert "rationale" in error.value.message_dict
    audit_submit(
        audit=audit,
        by=auditor,
        overall_grade=4,
        rationale="Exceptional direct work.",
        family_feedback=False,
        expected_version=2,
    )
    assert Audit.objects.get(pk=audit.pk).overall_grade == Grade.OUTSTANDING


def test_submit_completes_the_audit_and_copies_the_case_details(setup, auditor, practitioner, received):
    audit, criteria = setup
    answer_all(audit, criteria, auditor, needs=Grade.REQUIRES_IMPROVEMENT)
    audit_submit(audit=audit, by=auditor, overall_grade=1, rationale="", family_feedback=True, expected_version=2)
    audit.refresh_from_db()
    case = Case.objects.get(pk=audit.case_id)
    assert audit.status == AuditStatus.COMPLETED
    assert audit.suggested_grade == Grade.REQUIRES_IMPROVEMENT  # Good, Good, Out, capped by 'needs'
    assert (audit.overall_grade, audit.final_grade) == (1, 1)
    assert audit.family_feedback is True
    assert (audit.region_id, audit.team_id, audit.practitioner_id) == (
        case.region_id,
        case.team_id,
        practitioner.pk,
    )
    assert audit.completed_on == timezone.localdate()
    assert audit.submitted_at is not None and audit.completed_at is not None
    assert (case.last_audit_grade, case.last_audited_on) == (1, timezone.localdate())
    statuses = list(Audit.history.filter(id=audit.pk).order_by("history_date").values_list("status", flat=True))
    assert statuses[-2:] == [AuditStatus.SUBMITTED, AuditStatus.COMPLETED]


def test_completion_copies_survive_reallocation_of_the_case(setup, auditor):
    audit, criteria = setup
    answer_all(audit, criteria, auditor)
    audit_submit(audit=audit, by=auditor, overall_grade=3, rationale="", family_feedback=False, expected_version=2)
    original_team = audit.case.team_id
    new_team = TeamFactory(region=audit.case.region)
    Case.objects.filter(pk=audit.case_id).update(team=new_team)
    assert Audit.objects.get(pk=audit.pk).team_id == original_team


def test_audit_completed_is_sent_once_after_commit(setup, auditor, received, django_capture_on_commit_callbacks):
    audit, criteria = setup
    answer_all(audit, criteria, auditor)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        audit_submit(audit=audit, by=auditor, overall_grade=3, rationale="", family_feedback=False, expected_version=2)
        assert received == []  # nothing before the commit
    assert callbacks  # ran at commit
    assert received == [(Audit, audit.pk)]  # exactly once


def test_audit_completed_is_not_sent_on_rollback(setup, auditor, received, django_capture_on_commit_callbacks):
    audit, criteria = setup
    answer_all(audit, criteria, auditor)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        audit_submit(audit=audit, by=auditor, overall_grade=3, rationale="", family_feedback=False, expected_version=2)
        raise RuntimeError("something later in the same transaction failed")
    assert callbacks == []
    assert received == []
    assert Audit.objects.get(pk=audit.pk).status == AuditStatus.IN_PROGRESS


def test_a_completed_audit_cannot_be_completed_again(setup, auditor, received, django_capture_on_commit_callbacks):
    audit, criteria = setup
    answer_all(audit, criteria, auditor)
    with django_capture_on_commit_callbacks(execute=True):
        audit_submit(audit=audit, by=auditor, overall_grade=3, rationale="", family_feedback=False, expected_version=2)
        with pytest.raises(ValidationError):
            audit_complete(audit=audit, by=auditor)
    assert received == [(Audit, audit.pk)]


def test_an_older_completion_does_not_overwrite_the_cases_latest_grade(setup, auditor):
    audit, _ = setup
    case = audit.case
    Case.objects.filter(pk=case.pk).update(last_audit_grade=4, last_audited_on=datetime.date(2026, 1, 10))
    case.refresh_from_db()
    audit.overall_grade = 1
    audit_complete(audit=audit, by=auditor, completed_on=datetime.date(2025, 6, 1))
    case.refresh_from_db()
    assert (case.last_audit_grade, case.last_audited_on) == (4, datetime.date(2026, 1, 10))


def test_cancel_an_open_audit(setup, service_manager):
    audit, _ = setup
    audit_cancel(audit=audit, by=service_manager)
    audit.refresh_from_db()
    assert audit.status == AuditStatus.CANCELLED and audit.cancelled_at is not None
    with pytest.raises(ValidationError):
        audit_cancel(audit=audit, by=service_manager)


# ---- learning actions -----------------------------------------------------------------------


def test_learning_action_added_during_grading_with_history(setup, auditor):
    audit, _ = setup
    due = timezone.localdate() + datetime.timedelta(days=30)
    action = learning_action_add(audit=audit, by=auditor, description="  Read the guidance on identity.  ", due_on=due)
    assert (action.description, action.due_on, action.status) == ("Read the guidance on identity.", due, "open")
    assert action.history.get().history_user == auditor


def test_learning_action_needs_a_description(setup, auditor):
    audit, _ = setup
    with pytest.raises(ValidationError):
        learning_action_add(audit=audit, by=auditor, description=" ", due_on=timezone.localdate())
    assert not LearningAction.objects.exists()
