"""Case references go into page addresses: the import, the admin and the model refuse ones that
would break them, and a bad reference stored before the rule never breaks the list (issue 10.2)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases.models import Case
from cases.tests.factories import CaseFactory
from organisation.importing import import_csv

pytestmark = pytest.mark.django_db

HEADER = (
    "reference,region_code,team_code,law_type,application_type,practitioner_username,"
    "received_on,allocated_on,report_due_on,report_filed_on,closed_on\n"
)
BAD = ["AB/12", "AB 12", "AB?12", "AB#12", "AB%2F12", "../x", "-AB", ".AB", "AB\\12", "ÄB-1"]
GOOD = ["AB-12", "AB_12", "AB.12", "12345", "ne-2025.001_a"]


@pytest.mark.parametrize("reference", BAD)
def test_the_model_refuses_a_reference_that_would_break_an_address(team, reference):
    case = CaseFactory.build(reference=reference, team=team, region=team.region, practitioner=None)
    with pytest.raises(ValidationError) as raised:
        case.full_clean()
    assert "reference" in raised.value.message_dict


@pytest.mark.parametrize("reference", GOOD)
def test_the_model_accepts_letters_digits_hyphens_underscores_and_full_stops(team, reference):
    CaseFactory.build(reference=reference, team=team, region=team.region, practitioner=None).full_clean()


def test_the_import_names_the_line_and_the_reference_and_imports_nothing(practitioner):
    content = (
        HEADER
        + "GOOD-1,north-east,ne-durham,private,section_7,fca,2025-04-17,,,,\n"
        + "BAD/2,north-east,ne-durham,private,section_7,fca,2025-04-17,,,,\n"
    ).encode()
    report = import_csv("cases", content)
    assert not report.ok
    assert len(report.errors) == 1
    assert report.errors[0].startswith("line 3: reference: a case reference may contain letters, digits")
    assert not Case.objects.exists()


def test_the_admin_form_refuses_it(admin_client, team):
    response = admin_client.post(
        "/admin/cases/case/add/",
        {
            "reference": "AB/1",
            "region": team.region_id,
            "team": team.pk,
            "law_type": "private",
            "application_type": "section_7",
            "received_on": "2025-04-17",
            "children-TOTAL_FORMS": "0",
            "children-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "a case reference may contain" in response.content.decode()
    assert not Case.objects.exists()


@pytest.mark.parametrize("reference", ["OLD/1", "OLD?2", "OLD#3", "OLD 4", "OLD%5"])
def test_a_bad_reference_stored_earlier_still_lists_and_opens(client, quality_admin, team, reference):
    """Rows saved before the rule (bypassing validation) must not 500 the list for everyone."""
    Case.objects.create(
        reference=reference,
        region=team.region,
        team=team,
        law_type="private",
        application_type="section_7",
        received_on="2025-04-17",
    )
    client.force_login(quality_admin)
    listing = client.get("/cases/")
    assert listing.status_code == 200
    link = reverse("cases:detail", args=[reference])
    assert link in listing.content.decode()
    page = client.get(link)
    assert page.status_code == 200
    assert page.context["case"].reference == reference
    # The case page's own links that carry the reference work too (the feedback link page).
    request_link = reverse("feedback:request", args=[reference])
    assert request_link in page.content.decode()
    assert client.get(request_link).status_code == 200
