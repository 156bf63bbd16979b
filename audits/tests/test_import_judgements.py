"""`import_csv judgements FILE`: criterion judgements of completed audits, all or nothing, idempotent."""

import datetime

import pytest
from django.core.management import CommandError, call_command

from audits.models import AuditTemplate, Grade, Judgement
from audits.signals import audits_imported
from audits.tests.factories import CompletedAuditFactory
from cases.tests.factories import CaseFactory
from organisation.importing import import_csv

pytestmark = pytest.mark.django_db

HEADER = "case_reference,template,criterion,grade,answer"


def csv_of(*lines):
    return ("\n".join([HEADER, *lines]) + "\n").encode()


@pytest.fixture
def audits(team):
    standard = AuditTemplate.objects.get(slug="standard", is_current=True)
    domestic = AuditTemplate.objects.get(slug="domestic-abuse", is_current=True)
    c1 = CaseFactory(reference="C-1", team=team)
    c2 = CaseFactory(reference="C-2", team=team)
    return {
        "c1": CompletedAuditFactory(case=c1, template=standard, overall_grade=Grade.GOOD),
        "c2": CompletedAuditFactory(
            case=c2, template=standard, overall_grade=Grade.REQUIRES_IMPROVEMENT, completed_on=datetime.date(2025, 7, 2)
        ),
        "c1-da": CompletedAuditFactory(case=c1, template=domestic, overall_grade=Grade.MEETS_STANDARD),
    }


GOOD = csv_of(
    "C-1,standard,child-seen,,yes",
    "C-1,,wishes-feelings,Good,",
    "C-2,standard,diverse-needs,Requires improvement,",
    "C-2,standard,child-seen,,no",
    "C-1,domestic-abuse,da-child-seen,,Yes",
)


def test_a_good_file_imports_every_judgement_onto_the_completed_audit_of_the_case_and_template(audits):
    report = import_csv("judgements", GOOD)
    assert report.ok and report.created == 5, report.errors
    got = {
        (j.audit.case.reference, j.audit.template.slug, j.criterion.code): (j.grade, j.answer)
        for j in Judgement.objects.select_related("audit__case", "audit__template", "criterion")
    }
    assert got == {
        ("C-1", "standard", "child-seen"): (None, True),
        ("C-1", "standard", "wishes-feelings"): (Grade.GOOD, None),
        ("C-2", "standard", "diverse-needs"): (Grade.REQUIRES_IMPROVEMENT, None),
        ("C-2", "standard", "child-seen"): (None, False),
        ("C-1", "domestic-abuse", "da-child-seen"): (None, True),
    }
    # every judgement keeps its history
    assert Judgement.history.count() == 5


def test_importing_the_same_file_again_changes_nothing(audits):
    assert import_csv("judgements", GOOD).ok
    again = import_csv("judgements", GOOD)
    assert again.ok and again.created == 0 and again.unchanged == 5
    assert Judgement.objects.count() == 5


def test_one_bad_row_imports_nothing_and_every_bad_row_is_reported_by_line_and_column(audits):
    bad = csv_of(
        "C-1,standard,child-seen,,yes",  # line 2: fine
        "C-9,standard,child-seen,,yes",  # line 3: unknown case
        "C-2,domestic-abuse,da-child-seen,,yes",  # line 4: no completed audit on that template
        "C-1,standard,no-such-criterion,Good,",  # line 5
        "C-1,standard,wishes-feelings,Brilliant,",  # line 6: not a grade
        "C-1,standard,child-seen,,maybe",  # line 7: not yes or no
        "C-1,standard,analysis-recommendations,,yes",  # line 8: graded criterion given an answer
        "C-1,standard,diverse-needs,Requires improvement,",  # line 9: limiting RI on a Good audit
        "C-1,standard,management-oversight,,",  # line 10: no grade
    )
    report = import_csv("judgements", bad)
    assert not report.ok
    assert Judgement.objects.count() == 0
    errors = "\n".join(report.errors)
    assert "line 3: case_reference: unknown case reference 'C-9'" in errors
    assert "line 4: template: case 'C-2' has no completed audit on the template 'domestic-abuse'" in errors
    assert "line 5: criterion: no criterion 'no-such-criterion'" in errors
    assert "line 6: grade: 'Brilliant' is not a grade" in errors
    assert "line 7: answer: 'maybe' is not yes or no" in errors
    assert "line 8: answer: 'analysis-recommendations' is a graded criterion" in errors
    assert "line 8: grade: a graded criterion needs a grade" in errors
    assert "line 9: grade: 'diverse-needs' is limiting" in errors
    assert "line 10: grade: a graded criterion needs a grade" in errors
    assert not any(e.startswith("line 2:") for e in report.errors)


def test_a_repeated_row_and_a_changed_judgement_are_refused(audits):
    assert import_csv("judgements", csv_of("C-1,standard,wishes-feelings,Good,")).ok
    report = import_csv(
        "judgements",
        csv_of("C-1,standard,wishes-feelings,Outstanding,", "C-1,standard,child-seen,,yes", "C-1,,child-seen,,yes"),
    )
    assert not report.ok
    assert any("line 2: grade: this judgement is already recorded as Good" in e for e in report.errors)
    assert any(e == "line 4: criterion: duplicate of line 3" for e in report.errors)
    assert Judgement.objects.count() == 1


def test_a_case_with_two_completed_audits_on_the_template_is_ambiguous(audits):
    CompletedAuditFactory(case=audits["c1"].case, template=audits["c1"].template)
    report = import_csv("judgements", csv_of("C-1,standard,child-seen,,yes"))
    assert not report.ok
    assert "has 2 completed audits on the template 'standard'" in report.errors[0]


def test_the_dashboards_are_told_once_after_commit(audits, django_capture_on_commit_callbacks):
    heard = []

    def listener(sender, regions_months, **kwargs):
        heard.append(regions_months)

    audits_imported.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            assert import_csv("judgements", GOOD).ok
    finally:
        audits_imported.disconnect(listener)
    region = audits["c1"].region_id
    assert heard == [{(region, "2025-06"), (region, "2025-07")}]


def test_the_command_exits_non_zero_on_a_bad_file(audits, tmp_path, capsys):
    path = tmp_path / "judgements.csv"
    path.write_bytes(csv_of("C-9,standard,child-seen,,yes"))
    with pytest.raises(CommandError):
        call_command("import_csv", "judgements", str(path))
    assert Judgement.objects.count() == 0
