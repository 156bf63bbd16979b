"""The audits kind in the admin: import-export's preview (a dry run) and confirm, as every kind."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audits.models import Audit
from cases.tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

HEADER = "case_reference,template,auditor_username,completed_on,overall_grade,family_feedback\n"


def upload(admin_client, content: str):
    return admin_client.post(
        "/admin/audits/audit/import/",
        {"format": "0", "resource": "0", "import_file": SimpleUploadedFile("audits.csv", content.encode())},
    )


@pytest.fixture
def case(practitioner, team):
    return CaseFactory(reference="ADM-A1", team=team, practitioner=practitioner, received_on=datetime.date(2025, 1, 6))


def test_the_preview_names_every_bad_row_and_saves_nothing(admin_client, case, auditor):
    response = upload(
        admin_client,
        HEADER + "ADM-A1,standard,auditor,2025-03-10,Brilliant,yes\nADM-404,standard,auditor,2025-03-10,Good,yes\n",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "&#x27;Brilliant&#x27; is not a grade" in html
    assert "unknown case reference &#x27;ADM-404&#x27;" in html
    assert response.context.get("confirm_form") is None
    assert not Audit.objects.exists()


def test_the_preview_then_confirm_imports_the_audits(admin_client, case, auditor):
    preview = upload(admin_client, HEADER + "ADM-A1,standard,auditor,2025-03-10,Good,yes\n")
    confirm = preview.context["confirm_form"]
    assert confirm is not None
    assert not Audit.objects.exists()  # the preview is a dry run
    response = admin_client.post("/admin/audits/audit/process_import/", confirm.initial)
    assert response.status_code == 302
    audit = Audit.objects.get()
    assert (audit.case, audit.auditor, audit.overall_grade, audit.family_feedback) == (case, auditor, 3, True)
    case.refresh_from_db()
    assert (case.last_audit_grade, case.last_audited_on) == (3, datetime.date(2025, 3, 10))
