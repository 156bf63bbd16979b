"""`manage.py rollup_kpis`: the roll-ups in the foreground, with clear errors."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from audits.tests.factories import CompletedAuditFactory
from dashboards.models import KpiSnapshot

pytestmark = pytest.mark.django_db


def run(*args):
    out = io.StringIO()
    call_command("rollup_kpis", *args, stdout=out)
    return out.getvalue()


def test_full_rebuild(team):
    CompletedAuditFactory(case__team=team, completed_on=datetime.date(2025, 6, 2))
    assert "Rebuilt every KPI snapshot" in run("--full")
    assert KpiSnapshot.objects.get(month=datetime.date(2025, 6, 1)).audits == 1
    run("--full")
    assert KpiSnapshot.objects.filter(month=datetime.date(2025, 6, 1)).count() == 1


def test_one_slice(team, other_team):
    CompletedAuditFactory(case__team=team, completed_on=datetime.date(2025, 6, 2))
    CompletedAuditFactory(case__team=other_team, completed_on=datetime.date(2025, 6, 2))
    out = run("--region", team.region.code, "--month", "2025-06")
    assert "North East, June 2025: 1 team rows" in out
    assert list(KpiSnapshot.objects.filter(audits__gt=0).values_list("region__code", flat=True)) == ["north-east"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--region", "north-east"], "go together"),
        (["--month", "2025-06"], "go together"),
        (["--region", "north-east", "--month", "June"], "YYYY-MM"),
        (["--region", "atlantis", "--month", "2025-06"], "no region"),
        (["--full", "--region", "north-east", "--month", "2025-06"], "either"),
    ],
)
def test_bad_options(region, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
