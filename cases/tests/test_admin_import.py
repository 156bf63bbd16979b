"""The admin's import (django-import-export, with its preview) runs the same checks as the command."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.models import Case

pytestmark = pytest.mark.django_db

HEADER = (
    "reference,region_code,team_code,law_type,application_type,practitioner_username,"
    "received_on,allocated_on,report_due_on,report_filed_on,closed_on\n"
)


def upload(admin_client, content: str):
    return admin_client.post(
        "/admin/cases/case/import/",
        {"format": "0", "resource": "0", "import_file": SimpleUploadedFile("cases.csv", content.encode())},
    )


def test_admin_preview_shows_every_bad_row_and_offers_no_confirm(admin_client, practitioner):
    content = (
        HEADER
        + "ADM-1,atlantis,ne-durham,private,section_7,fca,2025-04-17,,,,\n"
        + "ADM-2,north-east,ne-durham,civil,section_7,fca,2025-04-17,,,,\n"
        + "ADM-1,north-east,ne-durham,private,section_7,fca,2025-04-17,,,,\n"
    )
    response = upload(admin_client, content)
    assert response.status_code == 200
    html = response.content.decode()
    assert "unknown region code &#x27;atlantis&#x27;" in html
    assert "&#x27;civil&#x27; is not one of public, private" in html
    assert "duplicate of line 2" in html
    assert "confirm_form" not in response.context or response.context["confirm_form"] is None
    assert not Case.objects.exists()


def test_admin_preview_then_confirm_imports_the_rows(admin_client, practitioner):
    content = HEADER + "ADM-9,north-east,ne-durham,private,section_7,fca,2025-04-17,2025-04-22,,,\n"
    preview = upload(admin_client, content)
    confirm = preview.context["confirm_form"]
    assert confirm is not None
    assert not Case.objects.exists()  # the preview is a dry run
    response = admin_client.post("/admin/cases/case/process_import/", confirm.initial)
    assert response.status_code == 302
    assert list(Case.objects.values_list("reference", "practitioner__username")) == [("ADM-9", "fca")]


def test_admin_preview_names_a_wrong_header(admin_client):
    response = upload(admin_client, "reference,region\nX,Y\n")
    assert response.status_code == 200
    assert "missing column" in response.content.decode()
    assert not Case.objects.exists()


def test_case_admin_pages_open(admin_client, practitioner):
    from cases.tests.factories import ChildFactory

    child = ChildFactory(case__team=practitioner.team, case__practitioner=practitioner)
    assert admin_client.get("/admin/cases/case/").status_code == 200
    assert admin_client.get(f"/admin/cases/case/{child.case.pk}/change/").status_code == 200
    assert admin_client.get("/admin/cases/child/").status_code == 200
    assert admin_client.get("/admin/organisation/user/import/").status_code == 200


def test_admin_upload_that_is_not_utf8_gets_a_message_not_a_500(admin_client):
    response = admin_client.post(
        "/admin/cases/case/import/",
        {
            "format": "0",
            "resource": "0",
            "import_file": SimpleUploadedFile("cases.csv", (HEADER + "É,x\n").encode("latin-1")),
        },
    )
    assert response.status_code == 200
    assert "the file is not UTF-8 text" in response.content.decode()  # the same reason as the command
    assert not Case.objects.exists()


def test_admin_import_of_a_nul_character_is_a_reason_not_a_500(admin_client, practitioner):
    response = upload(admin_client, HEADER + "ADM\x00-1,north-east,ne-durham,private,section_7,fca,2025-04-17,,,,\n")
    assert response.status_code == 200
    html = response.content.decode()
    assert "contains a NUL character" in html
    assert not Case.objects.exists()
