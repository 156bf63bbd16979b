"""The case list as CSV: quality admins only, with the current filters, never beyond visibility."""

import csv
import io

import pytest

from cases.models import ApplicationType, LawType
from cases.tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

HEADER = [
    "reference",
    "region_code",
    "team_code",
    "law_type",
    "application_type",
    "practitioner_username",
    "received_on",
    "allocated_on",
    "report_due_on",
    "report_filed_on",
    "closed_on",
    # optional columns the import also takes (a file without them imports as before)
    "domestic_abuse_alleged",
    "domestic_abuse_substantiated",
]


def rows(response):
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.fixture
def caseload(team, other_team, practitioner):
    CaseFactory(reference="EXP-PRIV", team=team, practitioner=practitioner)
    CaseFactory(
        reference="EXP-CARE",
        team=team,
        practitioner=practitioner,
        law_type=LawType.PUBLIC,
        application_type=ApplicationType.S31_CARE,
        report_due_on=None,
    )
    CaseFactory(reference="EXP-ELSE", team=other_team, practitioner=None, allocated_on=None)


def test_export_has_the_import_columns_and_respects_filters(client, quality_admin, caseload):
    client.force_login(quality_admin)
    data = rows(client.get("/cases/export.csv", {"law_type": "public"}))
    assert data[0] == HEADER
    assert [r[0] for r in data[1:]] == ["EXP-CARE"]
    assert data[1][1:6] == ["north-east", "ne-durham", "public", "s31_care", "fca"]


def test_format_csv_on_the_list_is_the_same_export(client, quality_admin, caseload):
    client.force_login(quality_admin)
    data = rows(client.get("/cases/", {"format": "csv", "region": "south-west"}))
    assert [r[0] for r in data[1:]] == ["EXP-ELSE"]
    assert data[1][5] == ""  # not allocated


def test_export_without_filters_is_everything_the_admin_sees(client, quality_admin, caseload):
    client.force_login(quality_admin)
    assert sorted(r[0] for r in rows(client.get("/cases/export.csv"))[1:]) == ["EXP-CARE", "EXP-ELSE", "EXP-PRIV"]


@pytest.mark.parametrize("person", ["service_manager", "practitioner", "board_member"])
def test_only_quality_admins_may_export(client, request, person, caseload):
    client.force_login(request.getfixturevalue(person))
    response = client.get("/cases/export.csv")
    assert response.status_code == 403
    assert b"EXP-" not in response.content


@pytest.mark.parametrize(
    "params", [{"team": "nope"}, {"region": "no-such-region"}, {"law_type": "civil", "format": "csv"}]
)
def test_a_bad_filter_shows_the_list_with_its_error_rather_than_a_larger_download(
    client, quality_admin, caseload, params
):
    client.force_login(quality_admin)
    url = "/cases/" if "format" in params else "/cases/export.csv"
    response = client.get(url, params, follow=True)
    assert response.redirect_chain and response.redirect_chain[0][0].startswith("/cases/?")
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "Download these cases" not in html


def test_the_download_link_carries_the_current_filters(client, quality_admin, caseload):
    client.force_login(quality_admin)
    html = client.get("/cases/", {"law_type": "public", "page": "1"}).content.decode()
    assert 'href="/cases/export.csv?law_type=public"' in html
