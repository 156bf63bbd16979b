"""File-level rules of the import framework: header, encoding, shape, dry run."""

import io

import pytest
from django.core.management import call_command

from organisation.importing import import_csv
from organisation.models import Region

pytestmark = pytest.mark.django_db


def test_missing_and_extra_header_columns_are_named():
    report = import_csv("regions", b"code,title\nn,North\n")
    assert report.errors == [
        "line 1: title: unexpected column; the header must be: code, name",
        "line 1: name: missing column; the header must be: code, name",
    ]
    assert not Region.objects.exists()


def test_a_file_that_is_not_utf8_gets_a_clear_error_not_a_traceback():
    report = import_csv("regions", "code,name\nne,Région\n".encode("latin-1"))
    assert not report.ok
    assert report.errors[0].startswith("line 2: file: the file is not UTF-8 text")
    assert not Region.objects.exists()


def test_an_empty_file_is_an_error():
    assert import_csv("regions", b"").errors == ["line 1: header: the file is empty; the header must be: code, name"]


def test_a_byte_order_mark_and_blank_lines_are_fine_and_lines_stay_physical():
    report = import_csv("regions", "\ufeffcode,name\n\nne,North East\n\n,Nowhere\n".encode())
    assert report.errors == ["line 5: code: a value is required"]


def test_a_row_with_the_wrong_number_of_cells_is_reported():
    report = import_csv("regions", b"code,name\nne,North East,extra\nsw,South West\n")
    assert report.errors == ["line 2: row: has 3 cells but the header has 2"]
    assert not Region.objects.exists()


def test_duplicate_natural_key_within_the_file_is_reported_on_the_later_line():
    report = import_csv("regions", b"code,name\nne,North East\nsw,South West\nne,Another\n")
    assert report.errors == ["line 4: code: duplicate of line 2"]


def test_dry_run_counts_but_writes_nothing():
    report = import_csv("regions", b"code,name\nne,North East\nsw,South West\n", dry_run=True)
    assert report.ok and report.created == 2
    assert not Region.objects.exists()


def test_dry_run_command_writes_nothing(tmp_path, capsys):
    path = tmp_path / "r.csv"
    path.write_bytes(b"code,name\nne,North East\n")
    call_command("import_csv", "regions", str(path), "--dry-run")
    assert "dry run: nothing was saved" in capsys.readouterr().out
    assert not Region.objects.exists()


def test_text_file_objects_are_accepted():
    assert import_csv("regions", io.StringIO("code,name\nne,North East\n")).created == 1


def test_every_contract_kind_this_issue_owns_is_registered():
    from organisation.importing import KINDS

    assert {"regions", "teams", "users", "cases"} <= set(KINDS)


def test_an_unknown_kind_is_a_clear_error():
    with pytest.raises(ValueError, match="Unknown import kind 'planets'"):
        import_csv("planets", b"code,name\n")


def test_only_quality_admins_import_through_the_web(service_manager, quality_admin):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        import_csv("regions", b"code,name\nne,North East\n", user=service_manager)
    assert import_csv("regions", b"code,name\nne2,North East 2\n", user=quality_admin).created == 1


def test_windows_line_endings_a_bom_and_spaces_around_values_import_cleanly():
    report = import_csv("regions", "\ufeffcode,name\r\n  ne , North East \r\nsw,South West\r\n".encode())
    assert report.ok, report.errors
    assert sorted(Region.objects.values_list("code", "name")) == [("ne", "North East"), ("sw", "South West")]


def test_a_nul_character_is_a_reason_not_a_crash():
    # PostgreSQL refuses NUL in text: without the check the first lookup query fails.
    report = import_csv("regions", b"code,name\nok,Fine\nn\x00e,North East\n")
    assert report.errors == [
        "line 3: code: contains a NUL character (0x00), which cannot be stored; remove it and import the file again"
    ]
    assert not Region.objects.exists()


def test_a_header_with_no_rows_imports_nothing_and_is_not_an_error():
    report = import_csv("regions", b"code,name\n")
    assert report.ok and report.rows == 0
