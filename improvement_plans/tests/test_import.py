"""CSV import of a plan's actions: all or nothing, every bad line named; export round-trips."""

import csv
import datetime
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from improvement_plans.importing import ActionResource, actions_import
from improvement_plans.models import Action

from .factories import ActionFactory, ObjectiveFactory, PlanFactory

D = datetime.date
pytestmark = pytest.mark.django_db
HEADER = "objective_ref,action_ref,how,owners,due_on,due_phrase,status,rag\n"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime.datetime(2026, 3, 10, 12, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def plan(assistant_director):
    plan = PlanFactory(region=None)
    one = ObjectiveFactory(plan=plan, ref="1", order=1)
    ObjectiveFactory(plan=plan, ref="2", order=2)
    ActionFactory(objective=one, ref="1.1", how="Old wording", due_on=D(2026, 6, 30))
    return plan


GOOD = HEADER + (
    "1,1.1,New wording,@ad; Service managers,2026-07-31,,in_progress,\n"
    '2,2.1,"Gather feedback, then act on it",Customer service team,,Quarterly,not_started,amber\n'
    "2,2.2,Publish the guidance,@ad,2026-01-15,,complete,green\n"
)
GOOD_WITH_REVIEW = GOOD.replace(HEADER.strip(), HEADER.strip() + ",review_on").replace(
    "Quarterly,not_started,amber", "Quarterly,not_started,amber,2026-06-30"
)
BAD = HEADER + (
    "1,1.1,Fine line,Service managers,2026-07-31,,in_progress,\n"  # line 2: good
    "9,9.1,Unknown objective,Service managers,2026-07-31,,in_progress,\n"  # line 3
    "2,2.1,Bad date,@nobody,2026-02-30,,started,purple\n"  # line 4
    "2,2.2,,Service managers,,,not_started,\n"  # line 5
    "1,1.1,Same action twice,Service managers,2026-07-31,,in_progress,\n"  # line 6
    "2,2.3,Phrase without review date,Service managers,,Biannually,not_started,\n"  # line 7
)


def snapshot_of_actions():
    return sorted(Action.objects.values_list("objective__ref", "ref", "how", "status", "due_on", "review_on"))


def test_good_file_imports_new_and_changed_actions(plan, assistant_director):
    report = actions_import(plan=plan, text=GOOD_WITH_REVIEW, today=D(2026, 3, 10), dry_run=False)
    assert report.errors == []
    assert (report.new, report.updated) == (2, 1)
    changed = Action.objects.get(ref="1.1")
    assert changed.how == "New wording" and changed.status == "in_progress"
    assert list(changed.owners.all()) == [assistant_director] and changed.owner_roles == "Service managers"
    phrase = Action.objects.get(ref="2.1")
    assert (phrase.due_on, phrase.due_phrase, phrase.review_on) == (None, "Quarterly", D(2026, 6, 30))
    assert phrase.how == "Gather feedback, then act on it"
    done = Action.objects.get(ref="2.2")
    assert done.completed_on == D(2026, 3, 10)


def test_bad_file_imports_nothing_and_names_every_bad_line(plan):
    before = snapshot_of_actions()
    report = actions_import(plan=plan, text=BAD, today=D(2026, 3, 10), dry_run=False)
    assert snapshot_of_actions() == before
    errors = report.errors
    assert "line 3: objective_ref: no objective '9' in this plan" in errors
    assert "line 4: owners: no such person: @nobody" in errors
    assert "line 4: due_on: '2026-02-30' is not a date in the form YYYY-MM-DD" in errors
    assert "line 4: status: 'started' is not one of not_started, in_progress, complete" in errors
    assert any(e.startswith("line 4: rag: 'purple'") for e in errors)
    assert "line 5: how: is empty: say how we will do it" in errors
    assert "line 5: due_on: is empty: give a due date, or a phrase in due_phrase" in errors
    assert "line 6: action_ref: action 1.1 is also on line 2" in errors
    assert "line 7: review_on: enter a review date for an action that only has a phrase" in errors
    assert not any(e.startswith("line 2:") for e in errors)
    assert all(e.split(":")[0].startswith("line ") for e in errors)


def test_missing_columns_are_reported_on_line_one(plan):
    report = actions_import(plan=plan, text="objective_ref,how\n1,x\n", today=D(2026, 3, 10), dry_run=False)
    expected = ", ".join(HEADER.strip().split(","))
    assert report.errors == [
        f"line 1: {column}: missing column; the header must be: {expected}"
        for column in ("action_ref", "owners", "due_on", "due_phrase", "status", "rag")
    ]


def test_dry_run_changes_nothing(plan):
    before = snapshot_of_actions()
    report = actions_import(plan=plan, text=GOOD_WITH_REVIEW, today=D(2026, 3, 10), dry_run=True)
    assert report.ok and (report.new, report.updated) == (2, 1)
    assert snapshot_of_actions() == before


def test_export_writes_the_documented_columns_and_round_trips(client, plan, assistant_director):
    actions_import(plan=plan, text=GOOD_WITH_REVIEW, today=D(2026, 3, 10), dry_run=False)
    client.force_login(assistant_director)
    response = client.get(reverse("improvement_plans:actions_csv", args=[plan.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0].keys()) == HEADER.strip().split(",") + ["review_on"]
    by_ref = {r["action_ref"]: r for r in rows}
    # A leading @ reads as a formula in a spreadsheet: the export quotes it, the import unquotes it.
    assert by_ref["1.1"]["owners"] == "'@ad; Service managers"
    assert by_ref["2.1"]["rag"] == "green"  # review date 30 Jun is more than 30 days away
    assert by_ref["2.2"]["rag"] == "green" and by_ref["2.2"]["status"] == "complete"
    before = snapshot_of_actions()
    again = actions_import(plan=plan, text=text, today=D(2026, 3, 10), dry_run=False)
    assert again.ok and (again.new, again.updated) == (0, 3)
    assert snapshot_of_actions() == before


def test_command_exits_non_zero_and_prints_bad_lines(plan, capsys, tmp_path):
    path = tmp_path / "bad.csv"
    with open(path, "w", encoding="utf-8") as f:
        f.write(BAD)
    before = snapshot_of_actions()
    with pytest.raises(CommandError, match="Nothing imported"):
        call_command("import_plan_actions", str(plan.pk), str(path))
    assert "line 3: objective_ref: no objective '9' in this plan" in capsys.readouterr().err
    assert snapshot_of_actions() == before


def test_command_dry_run_then_import(plan, capsys, tmp_path):
    path = tmp_path / "good.csv"
    with open(path, "w", encoding="utf-8") as f:
        f.write(GOOD_WITH_REVIEW)
    call_command("import_plan_actions", str(plan.pk), str(path), "--dry-run")
    assert "Would import 2 new and 1 changed actions" in capsys.readouterr().out
    assert Action.objects.count() == 1
    call_command("import_plan_actions", str(plan.pk), str(path))
    assert Action.objects.count() == 3


def test_upload_preview_confirm_in_the_browser_flow(client, plan, quality_admin):
    client.force_login(quality_admin)
    url = reverse("improvement_plans:actions_import", args=[plan.pk])
    upload = SimpleUploadedFile("actions.csv", GOOD_WITH_REVIEW.encode(), content_type="text/csv")
    preview = client.post(url, {"file": upload})
    assert preview.status_code == 200
    assert "Check before you import" in preview.content.decode()
    assert Action.objects.count() == 1  # nothing yet
    confirmed = client.post(url, {"confirm": "1", "csv_text": preview.context["csv_text"]})
    assert confirmed.status_code == 302
    assert Action.objects.count() == 3


def test_upload_of_a_bad_file_lists_errors_and_imports_nothing(client, plan, quality_admin):
    client.force_login(quality_admin)
    url = reverse("improvement_plans:actions_import", args=[plan.pk])
    response = client.post(url, {"file": SimpleUploadedFile("a.csv", BAD.encode())})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was imported" in html and "line 6: action_ref: action 1.1 is also on line 2" in html
    assert Action.objects.count() == 1
    not_utf8 = client.post(url, {"file": SimpleUploadedFile("a.csv", "caf\xe9".encode("latin-1"))})
    assert not_utf8.status_code == 400 and "must be UTF-8" in not_utf8.content.decode()
    empty = client.post(url, {})
    assert empty.status_code == 400 and "Choose a CSV file" in empty.content.decode()


def test_the_actions_kind_is_declared_on_the_one_import_framework():
    from organisation.importing import CsvResource

    assert issubclass(ActionResource, CsvResource)
