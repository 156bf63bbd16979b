"""The limiting judgement is a ceiling: the form, the service, the admin correction and check_audits."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from audits.forms import SubmitForm
from audits.models import Audit, AuditStatus, Grade
from audits.services import JudgementInput, audit_complete, audit_regrade, audit_save_section, audit_submit
from audits.tests.factories import CompletedAuditFactory, JudgementFactory
from organisation.tests.factories import UserFactory

from .grading_helpers import audit_of, private_case, small_template

pytestmark = pytest.mark.django_db


@pytest.fixture
def capped(practitioner, auditor):
    """An audit answered in full with the limiting 'needs' criterion at Requires improvement.

    Grades: needs RI (limiting), wishes Outstanding, analysis Outstanding -> sorted RI, Out, Out,
    lower median Outstanding; the limiting RI caps the suggestion at Requires improvement.
    """
    template, criteria = small_template()
    audit = audit_of(private_case(practitioner), auditor, template)
    audit_save_section(
        audit=audit,
        by=auditor,
        judgements=[
            JudgementInput(criteria["needs"].pk, grade=Grade.REQUIRES_IMPROVEMENT, evidence="Identity not explored."),
            JudgementInput(criteria["wishes"].pk, grade=Grade.OUTSTANDING, evidence="In the child's words."),
            JudgementInput(criteria["seen"].pk, answer=True, evidence="Seen at school."),
            JudgementInput(criteria["analysis"].pk, grade=Grade.OUTSTANDING, evidence="Clear."),
        ],
        expected_version=audit.version,
    )
    return audit


def test_form_refuses_a_grade_above_the_ceiling_even_with_a_rationale():
    form = SubmitForm(
        {"overall_grade": "4", "rationale": "Excellent work otherwise", "family_feedback": "no", "version": "2"},
        suggested=Grade.REQUIRES_IMPROVEMENT,
        ceiling=Grade.REQUIRES_IMPROVEMENT,
    )
    assert not form.is_valid()
    assert "can be at most Requires improvement" in form.errors["overall_grade"][0]


def test_form_accepts_the_ceiling_grade():
    form = SubmitForm(
        {"overall_grade": "1", "rationale": "", "family_feedback": "no", "version": "2"},
        suggested=Grade.REQUIRES_IMPROVEMENT,
        ceiling=Grade.REQUIRES_IMPROVEMENT,
    )
    assert form.is_valid(), form.errors


@pytest.mark.parametrize("grade", [Grade.MEETS_STANDARD, Grade.GOOD, Grade.OUTSTANDING])
def test_service_refuses_every_grade_above_the_ceiling(capped, auditor, grade):
    with pytest.raises(ValidationError) as error:
        audit_submit(
            audit=capped,
            by=auditor,
            overall_grade=grade,
            rationale="Strong everywhere else",
            family_feedback=False,
            expected_version=capped.version,
        )
    assert "at most Requires improvement" in error.value.message_dict["overall_grade"][0]
    capped.refresh_from_db()
    assert capped.status == AuditStatus.IN_PROGRESS  # nothing half-saved
    assert capped.overall_grade is None


def test_service_accepts_the_ceiling(capped, auditor):
    audit_submit(
        audit=capped,
        by=auditor,
        overall_grade=Grade.REQUIRES_IMPROVEMENT,
        rationale="",
        family_feedback=False,
        expected_version=capped.version,
    )
    capped.refresh_from_db()
    assert (capped.status, capped.final_grade) == (AuditStatus.COMPLETED, Grade.REQUIRES_IMPROVEMENT)


def test_complete_refuses_an_open_audit_graded_above_the_ceiling(capped, auditor):
    capped.overall_grade = Grade.GOOD
    with pytest.raises(ValidationError):
        audit_complete(audit=capped, by=auditor)
    assert Audit.objects.get(pk=capped.pk).status == AuditStatus.IN_PROGRESS


def test_grading_page_explains_and_refuses_the_ceiling(client, capped, auditor):
    client.force_login(auditor)
    url = reverse("audits:check", args=[capped.pk])
    page = client.get(url).content.decode()
    assert "can be at most Requires improvement" in page
    response = client.post(
        url, {"overall_grade": "3", "rationale": "Good overall", "family_feedback": "no", "version": capped.version}
    )
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert Audit.objects.get(pk=capped.pk).status == AuditStatus.IN_PROGRESS


def _completed_capped(practitioner, auditor, grade=Grade.REQUIRES_IMPROVEMENT, **kwargs):
    template, criteria = small_template(slug=f"small-{grade}")
    audit = CompletedAuditFactory(
        case=private_case(practitioner), auditor=auditor, template=template, overall_grade=grade, **kwargs
    )
    JudgementFactory(audit=audit, criterion=criteria["needs"], grade=Grade.REQUIRES_IMPROVEMENT)
    JudgementFactory(audit=audit, criterion=criteria["wishes"], grade=Grade.OUTSTANDING)
    return audit


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def _admin_post(admin_client, audit, grade, rationale):
    return admin_client.post(
        reverse("admin:audits_audit_change", args=[audit.pk]),
        {
            "due_on": audit.due_on.isoformat(),
            "overall_grade": str(grade),
            "rationale": rationale,
            "judgements-TOTAL_FORMS": "2",
            "judgements-INITIAL_FORMS": "2",
            "judgements-MIN_NUM_FORMS": "0",
            "judgements-MAX_NUM_FORMS": "1000",
            **{f"judgements-{i}-id": j.pk for i, j in enumerate(audit.judgements.order_by("criterion__order"))},
            **{f"judgements-{i}-audit": audit.pk for i in range(2)},
        },
    )


def test_admin_refuses_a_correction_above_the_ceiling(admin_client, practitioner, auditor):
    audit = _completed_capped(practitioner, auditor)
    response = _admin_post(admin_client, audit, Grade.GOOD, "Regraded on review")
    assert response.status_code == 200
    assert "can be at most Requires improvement" in response.content.decode()
    audit.refresh_from_db()
    assert (audit.overall_grade, audit.final_grade) == (Grade.REQUIRES_IMPROVEMENT, Grade.REQUIRES_IMPROVEMENT)


def test_admin_correction_within_the_ceiling_changes_the_final_grade(admin_client, practitioner, auditor):
    template, criteria = small_template(slug="uncapped")
    audit = CompletedAuditFactory(
        case=private_case(practitioner), auditor=auditor, template=template, overall_grade=Grade.GOOD
    )
    JudgementFactory(audit=audit, criterion=criteria["needs"], grade=Grade.MEETS_STANDARD)
    JudgementFactory(audit=audit, criterion=criteria["wishes"], grade=Grade.GOOD)
    response = _admin_post(admin_client, audit, Grade.MEETS_STANDARD, "Evidence thinner than first read")
    assert response.status_code == 302, response.content.decode()[:2000]
    audit.refresh_from_db()
    assert (audit.overall_grade, audit.final_grade) == (Grade.MEETS_STANDARD, Grade.MEETS_STANDARD)
    assert audit.history.first().history_user.username == "root"


def test_regrade_service_refuses_above_the_ceiling(practitioner, auditor):
    audit = _completed_capped(practitioner, auditor)
    with pytest.raises(ValidationError):
        audit_regrade(audit=audit, by=auditor, overall_grade=Grade.OUTSTANDING, rationale="Why not")


def test_check_audits_lists_a_hand_made_breaking_row_and_exits_1(practitioner, auditor):
    fine = _completed_capped(practitioner, auditor)
    # Made by hand, as an older import or a direct edit would have left it: Outstanding over a limiting RI.
    broken = _completed_capped(practitioner, auditor, grade=Grade.OUTSTANDING, rationale="One-line rationale")
    out = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("check_audits", stdout=out)
    assert error.value.returncode == 1
    lines = out.getvalue().splitlines()
    assert [line for line in lines if f"audit {broken.pk} " in line and "limiting ceiling" in line]
    assert not [line for line in lines if f"audit {fine.pk} " in line]
    broken.refresh_from_db()
    assert broken.overall_grade == Grade.OUTSTANDING  # listed, not changed


def test_check_audits_lists_a_missing_rationale(practitioner, auditor):
    audit = CompletedAuditFactory(
        case=private_case(practitioner), auditor=auditor, overall_grade=Grade.GOOD, suggested_grade=Grade.OUTSTANDING
    )
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("check_audits", stdout=out)
    assert f"audit {audit.pk} " in out.getvalue() and "missing rationale" in out.getvalue()


def test_check_audits_exits_0_when_all_is_well(practitioner, auditor):
    _completed_capped(practitioner, auditor)
    out = io.StringIO()
    call_command("check_audits", stdout=out)
    assert "No audit breaks a grading rule" in out.getvalue()
