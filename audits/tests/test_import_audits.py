"""`import_csv audits FILE`: historic completed audits, all or nothing, idempotent."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from audits.models import Audit, AuditStatus, AuditTemplate
from audits.signals import audits_imported
from cases.tests.factories import CaseFactory
from organisation.importing import import_csv
from organisation.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HEADER = "case_reference,template,auditor_username,completed_on,overall_grade,family_feedback"


def csv_of(*lines):
    return ("\n".join([HEADER, *lines]) + "\n").encode()


@pytest.fixture
def cases(practitioner, colleague, team, other_team):
    other_fca = UserFactory(username="fca-sw", team=other_team, roles=["practitioner"])
    received = {"C-1": datetime.date(2025, 1, 6), "C-2": datetime.date(2025, 2, 3), "C-3": datetime.date(2025, 3, 3)}
    where = {"C-1": (team, practitioner), "C-2": (team, colleague), "C-3": (other_team, other_fca)}
    return {
        ref: CaseFactory(reference=ref, team=where[ref][0], practitioner=where[ref][1], received_on=received[ref])
        for ref in received
    }


GOOD = csv_of(
    "C-1,standard,auditor,2025-03-10,Good,yes",
    "C-2,,auditor,2025-04-15,Requires improvement,no",
    "C-3,domestic-abuse,auditor,2025-05-20,Outstanding,no",
    "C-1,standard,auditor,2025-06-30,meets standard,NO",
)


def test_a_good_file_imports_exactly_its_rows_with_the_case_copied(cases, auditor):
    report = import_csv("audits", GOOD)

    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (4, 0, 0)
    rows = {
        (a.case.reference, a.completed_on): a
        for a in Audit.objects.select_related("case", "template", "region", "team", "practitioner")
    }
    expected = {
        ("C-1", datetime.date(2025, 3, 10)): ("standard", 3, True),
        ("C-2", datetime.date(2025, 4, 15)): ("standard", 1, False),
        ("C-3", datetime.date(2025, 5, 20)): ("domestic-abuse", 4, False),
        ("C-1", datetime.date(2025, 6, 30)): ("standard", 2, False),
    }
    assert set(rows) == set(expected)
    for key, (slug, grade, feedback) in expected.items():
        audit = rows[key]
        case = cases[key[0]]
        assert audit.status == AuditStatus.COMPLETED
        assert audit.template == AuditTemplate.objects.get(slug=slug, is_current=True)
        assert (audit.overall_grade, audit.final_grade, audit.suggested_grade) == (grade, grade, grade)
        assert audit.family_feedback is feedback
        assert (audit.region_id, audit.team_id, audit.practitioner_id) == (
            case.region_id,
            case.team_id,
            case.practitioner_id,
        )
        assert audit.auditor == auditor
        assert timezone.localtime(audit.completed_at).date() == key[1]


def test_import_updates_each_cases_latest_grade(cases, auditor):
    import_csv("audits", GOOD)
    cases["C-1"].refresh_from_db()
    assert (cases["C-1"].last_audit_grade, cases["C-1"].last_audited_on) == (2, datetime.date(2025, 6, 30))


def test_imported_audits_have_a_history_row(cases, auditor):
    import_csv("audits", GOOD)
    assert Audit.history.filter(history_type="+").count() == 4
    assert set(Audit.history.values_list("history_change_reason", flat=True)) == {"Imported from CSV"}


def test_a_second_import_changes_nothing(cases, auditor):
    import_csv("audits", GOOD)
    before = list(Audit.objects.order_by("pk").values())
    history = Audit.history.count()

    report = import_csv("audits", GOOD)

    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (0, 0, 4)
    assert list(Audit.objects.order_by("pk").values()) == before
    assert Audit.history.count() == history


def test_dry_run_writes_nothing(cases, auditor):
    report = import_csv("audits", GOOD, dry_run=True)
    assert report.ok and report.created == 4
    assert Audit.objects.count() == 0
    assert Audit.history.count() == 0


def test_a_bad_file_imports_nothing_and_names_every_bad_line(cases, auditor, practitioner, colleague):
    practitioner.groups.add(Group.objects.get(name="auditor"))  # a practice supervisor who also holds cases
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    data = csv_of(
        "C-1,standard,auditor,2025-03-10,Good,yes",  # line 2: good
        "C-1,standard,auditor,2025-03-11,Brilliant,yes",  # 3: bad grade
        "C-1,standard,auditor,10/03/2025,Good,yes",  # 4: bad date format
        "C-1,standard,auditor,2025-02-30,Good,yes",  # 5: no such date
        f"C-1,standard,auditor,{future},Good,yes",  # 6: future
        "C-404,standard,auditor,2025-03-10,Good,yes",  # 7: unknown case
        "C-1,standard,fca,2025-03-12,Good,yes",  # 8: self-audit (fca is C-1's practitioner)
        "C-1,standard,nobody,2025-03-13,Good,yes",  # 9: unknown auditor
        "C-1,standard,fca2,2025-03-14,Good,yes",  # 10: colleague holds no auditor role
        "C-1,thematic,auditor,2025-03-15,Good,yes",  # 11: unknown template
        "C-1,standard,auditor,2025-03-16,Good,maybe",  # 12: bad yes/no
        "C-1,standard,auditor,2025-03-10,Good,yes",  # 13: repeats line 2
        "C-1,standard,auditor,2024-12-01,Good,yes",  # 14: before the case was received
        ",standard,auditor,2025-03-17,,yes",  # 15: two values missing
    )

    report = import_csv("audits", data)

    assert not report.ok
    assert report.created == 0
    assert Audit.objects.count() == 0
    expected_prefixes = [
        "line 3: overall_grade: 'Brilliant' is not a grade",
        "line 4: completed_on: '10/03/2025' is not a date written YYYY-MM-DD",
        "line 5: completed_on: '2025-02-30' is not a real date",
        f"line 6: completed_on: '{future}' is in the future",
        "line 7: case_reference: unknown case reference 'C-404'",
        "line 8: auditor_username: 'fca' is the case's practitioner",
        "line 9: auditor_username: unknown user 'nobody'",
        "line 10: auditor_username: 'fca2' does not hold the auditor role",
        "line 11: template: unknown audit template 'thematic'",
        "line 12: family_feedback: 'maybe' is not yes or no",
        "line 13: case_reference: duplicate of line 2",
        "line 14: completed_on: '2024-12-01' is before the case was received (2025-01-06)",
        "line 15: case_reference: a value is required",
        "line 15: overall_grade: a value is required",
    ]
    assert len(report.errors) == len(expected_prefixes), report.errors
    for message, prefix in zip(report.errors, expected_prefixes, strict=True):
        assert message.startswith(prefix), (message, prefix)


def test_template_slugs_are_read_without_regard_to_case(cases, auditor):
    report = import_csv(
        "audits", csv_of("C-1,Standard,auditor,2025-03-10,Good,yes", "C-3,DOMESTIC-ABUSE,auditor,2025-05-20,Good,no")
    )
    assert report.ok, report.errors
    assert sorted(Audit.objects.values_list("template__slug", flat=True)) == ["domestic-abuse", "standard"]


def test_a_wrong_header_is_refused(cases, auditor):
    report = import_csv(
        "audits",
        b"case,template,auditor,completed_on,overall_grade,family_feedback\nC-1,,auditor,2025-03-10,Good,yes\n",
    )
    assert not report.ok
    assert report.errors[0].startswith("line 1: case: unexpected column")
    assert Audit.objects.count() == 0


def test_a_changed_grade_for_an_imported_audit_is_refused(cases, auditor):
    import_csv("audits", csv_of("C-1,standard,auditor,2025-03-10,Good,yes"))
    report = import_csv("audits", csv_of("C-1,standard,auditor,2025-03-10,Outstanding,yes"))
    assert report.errors == [
        "line 2: overall_grade: this audit was already imported as Good, family feedback yes; "
        "a completed audit is not changed by import"
    ]
    assert list(Audit.objects.values_list("overall_grade", flat=True)) == [3]


def test_one_signal_for_the_whole_import_after_commit(cases, auditor, django_capture_on_commit_callbacks):
    received = []

    def listener(sender, audit_ids, regions_months, **kwargs):
        received.append((sender, sorted(audit_ids), regions_months))

    audits_imported.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            import_csv("audits", GOOD)
    finally:
        audits_imported.disconnect(listener)

    ids = sorted(Audit.objects.values_list("pk", flat=True))
    here, there = cases["C-1"].region_id, cases["C-3"].region_id
    assert received == [
        (Audit, ids, {(here, "2025-03"), (here, "2025-04"), (there, "2025-05"), (here, "2025-06")}),
    ]


def test_no_signal_for_a_dry_run_or_a_bad_file(cases, auditor, django_capture_on_commit_callbacks):
    received = []

    def listener(sender, **kwargs):
        received.append(kwargs)

    audits_imported.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            import_csv("audits", GOOD, dry_run=True)
            import_csv("audits", csv_of("C-1,standard,auditor,2025-03-10,Brilliant,yes"))
    finally:
        audits_imported.disconnect(listener)
    assert received == []


def test_the_command_prints_every_bad_line_and_exits_non_zero(cases, auditor, tmp_path, capsys):
    path = tmp_path / "audits.csv"
    path.write_bytes(csv_of("C-404,standard,auditor,2025-03-10,Good,yes", "C-1,standard,auditor,2025-03-10,Grand,yes"))
    with pytest.raises(CommandError):
        call_command("import_csv", "audits", str(path))
    err = capsys.readouterr().err
    assert "line 2: case_reference: unknown case reference 'C-404'" in err
    assert "line 3: overall_grade: 'Grand' is not a grade" in err
    assert Audit.objects.count() == 0


def test_the_command_imports_a_good_file(cases, auditor, tmp_path):
    path = tmp_path / "audits.csv"
    path.write_bytes(GOOD)
    call_command("import_csv", "audits", str(path))
    assert Audit.objects.completed().count() == 4


def test_import_uses_a_handful_of_queries_whatever_the_rows(django_assert_max_num_queries, team, auditor):
    fcas = [UserFactory(username=f"p{i}", team=team, roles=["practitioner"]) for i in range(3)]
    lines = []
    for i in range(300):
        CaseFactory(reference=f"B-{i:04d}", team=team, practitioner=fcas[i % 3], received_on=datetime.date(2025, 1, 1))
        lines.append(f"B-{i:04d},,auditor,2025-{i % 12 + 1:02d}-15,Good,{'yes' if i % 2 else 'no'}")
    # cases, users, auditors, templates, existing audits; then the inserts (one batch of
    # audits, one of history rows), one bulk update of the cases, and savepoints. SQLite
    # caps the parameters of one statement, so there each batch of ~35 rows is an INSERT:
    # still nowhere near one query per row.
    limit = 16 if connection.vendor != "sqlite" else 40
    with django_assert_max_num_queries(limit):
        report = import_csv("audits", csv_of(*lines))
    assert report.ok and report.created == 300
    assert Audit.objects.count() == 300
