"""Importing cases: all or nothing, every bad row named, idempotent by reference."""

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cases.models import Case
from organisation.importing import import_csv
from organisation.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HEADER = (
    "reference,region_code,team_code,law_type,application_type,practitioner_username,"
    "received_on,allocated_on,report_due_on,report_filed_on,closed_on\n"
)


def csv(*rows: str) -> bytes:
    return (HEADER + "".join(row + "\n" for row in rows)).encode()


GOOD = csv(
    "IMP-1,north-east,ne-durham,private,section_7,fca,2025-04-17,2025-04-22,2025-06-30,2025-06-27,",
    "IMP-2,north-east,ne-durham,public,s31_care,,2025-04-17,,,,",
    "IMP-3,north-east,ne-durham,private,child_arrangements,fca,2025-01-06,2025-01-06,,,2025-03-31",
)


@pytest.fixture
def people(practitioner, auditor, other_team):
    return practitioner


def test_good_file_imports_exactly_its_rows(people):
    report = import_csv("cases", GOOD)
    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)
    rows = {
        c.reference: c
        for c in Case.objects.select_related("region", "team", "practitioner").filter(reference__startswith="IMP-")
    }
    assert sorted(rows) == ["IMP-1", "IMP-2", "IMP-3"]
    one = rows["IMP-1"]
    assert (one.region.code, one.team.code, one.law_type, one.application_type) == (
        "north-east",
        "ne-durham",
        "private",
        "section_7",
    )
    assert one.practitioner.username == "fca"
    assert (one.received_on, one.allocated_on, one.report_due_on, one.report_filed_on, one.closed_on) == (
        datetime.date(2025, 4, 17),
        datetime.date(2025, 4, 22),
        datetime.date(2025, 6, 30),
        datetime.date(2025, 6, 27),
        None,
    )
    two = rows["IMP-2"]
    assert two.practitioner is None and two.allocated_on is None
    assert rows["IMP-3"].closed_on == datetime.date(2025, 3, 31)


def test_second_import_of_the_same_file_changes_nothing(people):
    import_csv("cases", GOOD)
    before = list(Case.objects.order_by("reference").values())
    report = import_csv("cases", GOOD)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert list(Case.objects.order_by("reference").values()) == before


def test_five_kinds_of_bad_row_give_five_line_messages_and_nothing_is_saved(people):
    data = csv(
        "OK-1,north-east,ne-durham,private,section_7,fca,2025-04-17,,,,",  # line 2: good
        "BAD-1,atlantis,ne-durham,private,section_7,fca,2025-04-17,,,,",  # line 3: unknown region
        "BAD-2,north-east,ne-durham,private,section_7,nobody,2025-04-17,,,,",  # line 4: unknown practitioner
        "BAD-3,north-east,ne-durham,private,section_7,fca,17/04/2025,,,,",  # line 5: bad date
        "OK-1,north-east,ne-durham,private,section_7,fca,2025-04-17,,,,",  # line 6: duplicate reference
        "BAD-5,north-east,ne-durham,civil,section_7,fca,2025-04-17,,,,",  # line 7: wrong law type
    )
    report = import_csv("cases", data)
    assert report.errors == [
        "line 3: region_code: unknown region code 'atlantis'",
        "line 4: practitioner_username: unknown practitioner 'nobody'",
        "line 5: received_on: '17/04/2025' is not a date written YYYY-MM-DD",
        "line 6: reference: duplicate of line 2",
        "line 7: law_type: 'civil' is not one of public, private",
    ]
    assert (report.created, report.updated, report.unchanged) == (0, 0, 0)
    assert not Case.objects.exists()


def test_rules_across_columns_have_clear_reasons(people, auditor):
    data = csv(
        "X-1,north-east,sw-bristol,private,section_7,fca,2025-04-17,,,,",  # team in another region
        "X-2,north-east,ne-durham,private,section_7,auditor,2025-04-17,,,,",  # not a practitioner
        "X-3,north-east,ne-durham,private,section_7,fca,2025-04-17,2025-04-01,,,",  # allocated before received
        "X-4,north-east,ne-durham,private,tea_party,fca,2025-04-17,,,,",  # wrong application type
        "X-5,north-east,ne-durham,private,section_7,fca,,,,,",  # missing received date
        "X-6,north-east,ne-durham,private,section_7,fca,2025-02-30,,,,",  # impossible date
    )
    assert import_csv("cases", data).errors == [
        "line 2: team_code: the team must be in the case's region",
        "line 3: practitioner_username: 'auditor' is not an active practitioner",
        "line 4: allocated_on: the allocated date cannot be before the date the case was received",
        "line 5: application_type: 'tea_party' is not one of s31_care, section_7, rule_16_4, "
        "special_guardianship, adoption, child_arrangements, other",
        "line 6: received_on: a value is required",
        "line 7: received_on: '2025-02-30' is not a real date",
    ]
    assert not Case.objects.exists()


def test_a_bad_row_rolls_back_updates_to_existing_cases_too(people):
    import_csv("cases", GOOD)
    data = csv(
        "IMP-1,north-east,ne-durham,private,section_7,fca,2025-04-17,2025-04-23,2025-06-30,2025-06-27,",
        "IMP-9,north-east,nowhere,private,section_7,fca,2025-04-17,,,,",
    )
    report = import_csv("cases", data)
    assert report.errors == ["line 3: team_code: unknown team code 'nowhere'"]
    assert Case.objects.get(reference="IMP-1").allocated_on == datetime.date(2025, 4, 22)


def test_dry_run_writes_nothing(people, tmp_path, capsys):
    path = tmp_path / "cases.csv"
    path.write_bytes(GOOD)
    call_command("import_csv", "cases", str(path), "--dry-run")
    assert "3 would be created" in capsys.readouterr().out
    assert not Case.objects.exists()


def test_command_exits_non_zero_listing_every_bad_line(people, tmp_path, capsys):
    path = tmp_path / "cases.csv"
    path.write_bytes(
        csv(
            "Y-1,atlantis,ne-durham,private,section_7,fca,2025-04-17,,,,",
            "Y-2,north-east,ne-durham,private,section_7,fca,yesterday,,,,",
        )
    )
    with pytest.raises(CommandError):
        call_command("import_csv", "cases", str(path))
    assert capsys.readouterr().err.splitlines() == [
        "line 2: region_code: unknown region code 'atlantis'",
        "line 3: received_on: 'yesterday' is not a date written YYYY-MM-DD",
    ]


def test_a_user_without_the_practitioner_role_is_not_allocated(people):
    UserFactory(username="inactive-fca", roles=["practitioner"], is_active=False)
    data = csv("Z-1,north-east,ne-durham,private,section_7,inactive-fca,2025-04-17,,,,")
    assert import_csv("cases", data).errors == [
        "line 2: practitioner_username: 'inactive-fca' is not an active practitioner"
    ]


def test_a_practitioner_from_another_region_is_not_allocated(people, other_manager):
    UserFactory(username="sw-fca", team=other_manager.team, roles=["practitioner"])
    data = csv("R-1,north-east,ne-durham,private,section_7,sw-fca,2025-04-17,,,,")
    assert import_csv("cases", data).errors == [
        "line 2: practitioner_username: the practitioner works in another region; allocate someone in the case's region"
    ]
    assert not Case.objects.exists()


def test_a_reference_too_long_for_the_field_is_reported(people):
    data = csv("R" * 31 + ",north-east,ne-durham,private,section_7,fca,2025-04-17,,,,")
    assert import_csv("cases", data).errors == [
        "line 2: reference: ensure this value has at most 30 characters (it has 31)"
    ]
    assert not Case.objects.exists()


def test_a_byte_order_mark_windows_line_endings_and_spaces_are_fine(people):
    data = (
        "\ufeff" + HEADER.replace("\n", "\r\n") + " W-1 , north-east ,ne-durham, private,section_7, fca ,"
        "2025-04-17 ,,,,\r\n"
    ).encode()
    report = import_csv("cases", data)
    assert (report.errors, report.created) == ([], 1)
    case = Case.objects.select_related("region", "practitioner").get()
    assert (case.reference, case.region.code, case.practitioner.username) == ("W-1", "north-east", "fca")
    assert case.received_on == datetime.date(2025, 4, 17)


def test_the_same_reference_twice_with_different_spacing_is_a_duplicate(people):
    data = csv(
        "D-1,north-east,ne-durham,private,section_7,fca,2025-04-17,,,,",
        " D-1 ,north-east,ne-durham,private,section_7,fca,2025-04-18,,,,",
    )
    assert import_csv("cases", data).errors == ["line 3: reference: duplicate of line 2"]
    assert not Case.objects.exists()
