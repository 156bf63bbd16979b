"""Visibility follows whose work it was, not who holds the case now (issue 10.4).

A case moves from `practitioner` (Priya) to `colleague` (Colin). The audits of Priya's
work (completed, and one still open), their evidence, and the complaint made while she
held the case stay hers: closed (404 / absent from every list) to Colin, open to Priya.
Feedback given after the move is Colin's.
"""

import datetime

import pytest

from audits.models import Audit, AuditStatus
from audits.services.workflow import audit_create
from audits.tests.factories import AuditTemplateFactory, CompletedAuditFactory, CriterionFactory, JudgementFactory
from cases.models import Case
from cases.tests.factories import CaseFactory
from feedback.models import Feedback
from feedback.services import feedback_record
from organisation import visibility

pytestmark = pytest.mark.django_db

EVIDENCE = "Evidence of the analysis Priya wrote on the file"
COMPLAINT = "Priya did not call me back"
LATER = "Colin explained the recommendation well"


@pytest.fixture
def moved(practitioner, colleague, auditor, service_manager, team):
    case = CaseFactory(reference="MOVE-1", team=team, practitioner=practitioner)
    template = AuditTemplateFactory(slug="realloc", is_current=True)
    done = CompletedAuditFactory(case=case, auditor=auditor, template=template)
    JudgementFactory(audit=done, criterion=CriterionFactory(template=template), evidence=EVIDENCE)
    open_audit = audit_create(case=case, auditor=auditor, template=template, due_on=None, by=service_manager)
    complaint = feedback_record(
        by=service_manager,
        case=case,
        respondent="parent_carer",
        channel="phone",
        kind="complaint",
        received_on=datetime.date(2025, 6, 2),
        comments=COMPLAINT,
    )
    # Re-allocation.
    case.practitioner = colleague
    case.save()
    later = feedback_record(
        by=service_manager,
        case=case,
        respondent="parent_carer",
        channel="phone",
        kind="compliment",
        received_on=datetime.date(2025, 7, 2),
        comments=LATER,
    )
    return {"case": case, "done": done, "open": open_audit, "complaint": complaint, "later": later}


def test_the_new_practitioner_cannot_open_the_earlier_audits(client, moved, colleague):
    client.force_login(colleague)
    for audit in (moved["done"], moved["open"]):
        assert client.get(f"/audits/{audit.pk}/").status_code == 404
    assert not visibility.visible_audits(colleague, Audit.objects.all()).exists()


def test_the_earlier_practitioner_still_can(client, moved, practitioner):
    client.force_login(practitioner)
    page = client.get(f"/audits/{moved['done'].pk}/")
    assert page.status_code == 200
    assert EVIDENCE in page.content.decode()
    assert client.get(f"/audits/{moved['open'].pk}/").status_code == 200
    assert set(visibility.visible_audits(practitioner, Audit.objects.all())) == {moved["done"], moved["open"]}


def test_lists_and_the_case_page_do_not_show_them_to_the_new_practitioner(client, moved, colleague, practitioner):
    client.force_login(colleague)
    my_work = client.get("/audits/?section=my-work")
    assert my_work.status_code == 200
    assert list(my_work.context["audits"]) == []
    case_page = client.get("/cases/MOVE-1/")  # the case is Colin's now
    assert case_page.status_code == 200
    html = case_page.content.decode()
    assert f"/audits/{moved['done'].pk}/" not in html and f"/audits/{moved['open'].pk}/" not in html
    assert "Complaint" not in html  # the complaint was about Priya's time on the case
    assert "Compliment" in html  # given after the move: Colin's
    feedback = client.get("/feedback/").content.decode()
    assert COMPLAINT not in feedback and LATER in feedback

    client.force_login(practitioner)
    assert [a.pk for a in client.get("/audits/?section=my-work").context["audits"]] == [moved["done"].pk]
    feedback = client.get("/feedback/").content.decode()
    assert COMPLAINT in feedback and LATER not in feedback


def test_feedback_records_the_practitioner_at_the_time(moved, practitioner, colleague):
    assert Feedback.objects.get(pk=moved["complaint"].pk).practitioner == practitioner
    assert Feedback.objects.get(pk=moved["later"].pk).practitioner == colleague
    assert Audit.objects.get(pk=moved["open"].pk).practitioner == practitioner


def test_managers_and_admins_still_see_everything_in_the_region(moved, service_manager, quality_admin):
    for user in (service_manager, quality_admin):
        assert set(visibility.visible_audits(user, Audit.objects.all())) == {moved["done"], moved["open"]}
        assert set(visibility.visible_feedback(user, Feedback.objects.all())) == {moved["complaint"], moved["later"]}


def test_an_open_audit_made_without_a_copy_follows_the_case(team, practitioner, colleague, auditor):
    """Rows made before copies were taken at creation (or by bulk tools) fall back to the case."""
    case = CaseFactory(team=team, practitioner=practitioner)
    legacy = Audit.objects.create(
        case=case, auditor=auditor, template=AuditTemplateFactory(), status=AuditStatus.SCHEDULED
    )
    assert legacy.practitioner_id is None
    assert list(visibility.visible_audits(practitioner, Audit.objects.all())) == [legacy]
    Case.objects.filter(pk=case.pk).update(practitioner=colleague)
    assert list(visibility.visible_audits(colleague, Audit.objects.all())) == [legacy]
    assert not visibility.visible_audits(practitioner, Audit.objects.all()).exists()


def test_a_completed_audit_of_an_unallocated_case_is_no_practitioners(team, colleague, auditor):
    case = CaseFactory(team=team, practitioner=None, allocated_on=None)
    CompletedAuditFactory(case=case, auditor=auditor, practitioner=None)
    Case.objects.filter(pk=case.pk).update(practitioner=colleague)
    assert not visibility.visible_audits(colleague, Audit.objects.all()).exists()
