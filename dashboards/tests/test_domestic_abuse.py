"""Cases with domestic abuse alleged and substantiated: counted by month received, shown beside the
operational KPIs; the cases import takes the two optional yes/no columns."""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from cases.models import Case
from cases.tests.factories import CaseFactory
from dashboards.rollup import rollup_all
from organisation.importing import import_csv

pytestmark = pytest.mark.django_db

JUNE = datetime.date(2025, 6, 3)


def test_alleged_and_substantiated_counted_by_hand(client, service_manager, region, team, other_team):
    facts = [
        (team, True, True),
        (team, True, False),
        (team, True, False),
        (team, False, False),
        (other_team, True, True),
    ]
    for t, alleged, substantiated in facts:
        CaseFactory(
            team=t, received_on=JUNE, domestic_abuse_alleged=alleged, domestic_abuse_substantiated=substantiated
        )
    CaseFactory(team=team, received_on=datetime.date(2025, 8, 1), domestic_abuse_alleged=True)  # another month
    rollup_all()
    client.force_login(service_manager)
    response = client.get(
        reverse("dashboards:region", args=[region.code]), {"period": "2025-06", "format": "csv", "table": "operational"}
    )
    rows = {r["Scope"]: r for r in csv.DictReader(io.StringIO(response.content.decode()))}
    for scope, subset in (("North East", [f for f in facts if f[0] == team]), ("National", facts)):
        alleged = sum(1 for f in subset if f[1])
        substantiated = sum(1 for f in subset if f[2])
        assert rows[scope]["Cases with domestic abuse alleged"] == str(alleged)
        assert rows[scope]["Of those, domestic abuse substantiated: numerator"] == str(substantiated)
        assert rows[scope]["Of those, domestic abuse substantiated: denominator"] == str(alleged)


def test_the_cases_import_takes_the_optional_domestic_abuse_columns(team, practitioner):
    header = (
        "reference,region_code,team_code,law_type,application_type,practitioner_username,received_on,"
        "allocated_on,report_due_on,report_filed_on,closed_on"
    )
    plain = f"{header}\nC-1,{team.region.code},{team.code},private,section_7,fca,2025-06-02,,,,\n"
    assert import_csv("cases", plain.encode()).ok
    assert not Case.objects.get(reference="C-1").domestic_abuse_alleged
    extra = (
        f"{header},domestic_abuse_alleged,domestic_abuse_substantiated\n"
        f"C-2,{team.region.code},{team.code},private,section_7,fca,2025-06-02,,,,,yes,yes\n"
        f"C-3,{team.region.code},{team.code},private,section_7,fca,2025-06-02,,,,,no,yes\n"
        f"C-4,{team.region.code},{team.code},private,section_7,fca,2025-06-02,,,,,maybe,\n"
    )
    report = import_csv("cases", extra.encode())
    assert not report.ok
    assert any(e.startswith("line 3: domestic_abuse_substantiated: ") for e in report.errors), report.errors
    assert any(e.startswith("line 4: domestic_abuse_alleged: 'maybe' is not yes or no") for e in report.errors)
    assert not Case.objects.filter(reference="C-2").exists()
