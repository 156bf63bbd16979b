"""The practitioner's reflective response and learning actions: only the practitioner whose work was audited."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audits.models import Audit, LearningAction
from audits.services.responses import audit_response_record
from audits.tests.factories import AuditFactory, CompletedAuditFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def audit(practitioner, auditor, team):
    return CompletedAuditFactory(case__team=team, case__practitioner=practitioner, auditor=auditor)


@pytest.fixture
def action(audit):
    return LearningAction.objects.create(
        audit=audit, description="Use the direct-work toolkit", due_on=timezone.localdate() + datetime.timedelta(7)
    )


def respond(client, audit, text):
    return client.post(reverse("audits:response", args=[audit.pk]), {"response": text})


# ---- the response ----------------------------------------------------------------------------


def test_practitioner_writes_a_response(client, practitioner, audit):
    client.force_login(practitioner)
    response = respond(client, audit, "  I will record how I saw the child.  ")
    assert response.status_code == 302
    assert response["Location"] == f"/audits/?section=my-work#my-work-{audit.pk}"
    audit.refresh_from_db()
    assert audit.practitioner_response == "I will record how I saw the child."
    assert audit.practitioner_responded_at is not None


def test_a_practitioners_response_leaves_last_saved_by_and_version_alone(client, practitioner, auditor, audit):
    """ "Last saved by" names the grading's saves: the practitioner's response is not one of them."""
    saved_at = timezone.now() - datetime.timedelta(days=3)
    Audit.objects.filter(pk=audit.pk).update(last_saved_by=auditor, last_saved_at=saved_at, version=5)
    client.force_login(practitioner)
    assert respond(client, audit, "I will record how I saw the child.").status_code == 302
    audit.refresh_from_db()
    assert (audit.last_saved_by_id, audit.last_saved_at, audit.version) == (auditor.pk, saved_at, 5)


def test_response_is_kept_in_history_with_who_and_when(client, practitioner, audit):
    client.force_login(practitioner)
    respond(client, audit, "First thoughts.")
    respond(client, audit, "Second thoughts.")
    rows = list(Audit.history.filter(id=audit.pk, history_type="~").order_by("history_id"))
    responses = [(r.practitioner_response, r.history_user_id) for r in rows]
    assert responses == [("First thoughts.", practitioner.pk), ("Second thoughts.", practitioner.pk)]


def test_response_form_page_shows_for_the_practitioner(client, practitioner, audit):
    client.force_login(practitioner)
    response = client.get(reverse("audits:response", args=[audit.pk]))
    assert response.status_code == 200
    assert "Your reflective response" in response.content.decode()


def test_empty_response_is_refused_with_a_message(client, practitioner, audit):
    client.force_login(practitioner)
    response = respond(client, audit, "   ")
    assert response.status_code == 400
    assert "Enter your response." in response.content.decode()
    audit.refresh_from_db()
    assert audit.practitioner_response == "" and audit.version == 1


def test_too_long_response_is_refused_with_a_message(client, practitioner, audit):
    client.force_login(practitioner)
    response = respond(client, audit, "x" * 5001)
    assert response.status_code == 400
    assert "5,000 characters or fewer" in response.content.decode()
    assert Audit.objects.get(pk=audit.pk).practitioner_response == ""


def test_colleague_cannot_see_or_write_the_response(client, colleague, audit):
    client.force_login(colleague)
    assert respond(client, audit, "Not mine to write.").status_code == 404
    assert client.get(reverse("audits:response", args=[audit.pk])).status_code == 404
    assert Audit.objects.get(pk=audit.pk).practitioner_response == ""


@pytest.mark.parametrize("who", ["auditor", "service_manager", "quality_admin"])
def test_people_who_see_the_audit_but_are_not_its_practitioner_get_403(client, request, audit, who):
    client.force_login(request.getfixturevalue(who))
    assert respond(client, audit, "Not mine to write.").status_code == 403
    assert Audit.objects.get(pk=audit.pk).practitioner_response == ""


def test_manager_of_another_region_gets_404(client, other_manager, audit):
    client.force_login(other_manager)
    assert respond(client, audit, "Not mine to write.").status_code == 404


def test_new_practitioner_of_a_reallocated_case_cannot_answer_for_the_old_one(client, colleague, audit):
    audit.case.practitioner = colleague
    audit.case.save()
    client.force_login(colleague)
    # Not even visible to them any more (organisation.visibility.audit_practitioner_q): 404.
    assert respond(client, audit, "Not my work.").status_code == 404
    assert Audit.objects.get(pk=audit.pk).practitioner_response == ""


def test_response_still_possible_after_the_case_moves_to_the_auditor(client, practitioner, auditor, audit):
    audit.case.practitioner = auditor  # re-allocated after the audit was completed
    audit.case.save()
    client.force_login(practitioner)
    assert respond(client, audit, "Still my work.").status_code == 302
    assert Audit.objects.get(pk=audit.pk).practitioner_response == "Still my work."


def test_no_response_before_the_audit_is_completed(client, practitioner, team):
    open_audit = AuditFactory(case__team=team, case__practitioner=practitioner)
    client.force_login(practitioner)
    response = respond(client, open_audit, "Too early.")
    assert response.status_code == 302
    assert Audit.objects.get(pk=open_audit.pk).practitioner_response == ""


def test_service_refuses_someone_else(colleague, audit):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        audit_response_record(audit=audit, by=colleague, text="No.")


def test_unknown_audit_is_404(client, practitioner):
    client.force_login(practitioner)
    assert client.post("/audits/999999/response/", {"response": "x"}).status_code == 404
