"""Huge or malformed files get one clear reason, fast, in the command and the admin (issue 10.7)."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from organisation.importing import MAX_ERRORS_SHOWN, ImportReport, import_csv
from organisation.models import Region

pytestmark = pytest.mark.django_db

WIDE_COLUMNS = 1_000_000


def wide_file() -> bytes:
    header = ",".join(f"c{i}" for i in range(WIDE_COLUMNS))
    return (header + "\n" + ",".join("x" * 1 for _ in range(WIDE_COLUMNS)) + "\n").encode()


def test_a_million_columns_is_refused_before_parsing_in_well_under_a_second():
    data = wide_file()
    started = time.perf_counter()
    report = import_csv("regions", data)
    elapsed = time.perf_counter() - started
    assert report.errors == [
        "line 1: header: the file has 1,000,000 columns; a regions file has 2: code, name",
    ]
    assert elapsed < 1.0, elapsed  # it took minutes when every column was parsed and reported


def test_a_file_over_the_size_limit_is_refused_unread(settings, tmp_path):
    settings.IMPORT_MAX_BYTES = 1000
    path = tmp_path / "big.csv"
    path.write_bytes(b"code,name\n" + b"ne,North East\n" * 200)  # 2,810 bytes
    report = import_csv("regions", str(path))
    assert len(report.errors) == 1
    assert report.errors[0].startswith("line 1: file: the file is 0.0 MB; files of up to 0.0 MB can be imported")
    assert not Region.objects.exists()


@pytest.mark.parametrize(("environment", "expected"), [({}, 10 * 1024 * 1024), ({"IMPORT_MAX_BYTES": "2048"}, 2048)])
def test_the_limit_is_ten_megabytes_unless_the_environment_says(environment, expected):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "IMPORT_MAX_BYTES"} | environment
    code = "import cafcass_qa.settings.base as b; print(b.IMPORT_MAX_BYTES)"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)  # noqa: S603
    assert int(out.stdout) == expected


def test_the_command_prints_the_first_hundred_errors_and_counts_the_rest(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text("code,name\n" + "".join(f",Nowhere {i}\n" for i in range(250)))  # 250 rows without a code
    with pytest.raises(CommandError, match="250 error"):
        call_command("import_csv", "regions", str(path))
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == MAX_ERRORS_SHOWN + 1
    assert err[0] == "line 2: code: a value is required"
    assert err[MAX_ERRORS_SHOWN - 1] == "line 101: code: a value is required"
    assert err[-1] == "… and 150 more errors not shown"


def test_shown_errors_leaves_a_short_list_alone():
    report = ImportReport(kind="regions", errors=["line 2: code: x"])
    assert report.shown_errors() == ["line 2: code: x"]


def upload(admin_client, content: bytes, path="/admin/organisation/region/import/"):
    return admin_client.post(
        path, {"format": "0", "resource": "0", "import_file": SimpleUploadedFile("regions.csv", content)}
    )


def test_the_admin_names_a_duplicated_header_without_a_traceback(admin_client):
    response = upload(admin_client, b"code,code,name\nne,ne,North East\n")
    assert response.status_code == 200
    html = response.content.decode()
    assert "line 1: code: this column appears more than once" in html
    assert "Traceback" not in html and "traceback" not in html
    assert not Region.objects.exists()


def test_the_admin_refuses_a_file_over_the_limit(admin_client, settings):
    settings.IMPORT_MAX_BYTES = 100
    response = upload(admin_client, b"code,name\n" + b"ne,North East\n" * 20)
    assert response.status_code == 200
    assert "files of up to 0.0 MB can be imported" in response.content.decode()
    assert not Region.objects.exists()


def test_the_admin_refuses_a_million_columns_quickly(admin_client):
    started = time.perf_counter()
    response = upload(admin_client, wide_file())
    assert time.perf_counter() - started < 5
    assert response.status_code == 200
    assert "the file has 1,000,000 columns" in response.content.decode()


def test_the_admin_preview_shows_a_hundred_errors_and_counts_the_rest(admin_client):
    content = ("code,name\n" + "".join(f"x{i},\n" for i in range(180))).encode()  # 180 rows without a name
    response = upload(admin_client, content)
    assert response.status_code == 200
    html = response.content.decode()
    assert len(response.context["result"].invalid_rows) == MAX_ERRORS_SHOWN
    assert "Only the first 100 problems are shown: 80 more were found." in html
    assert "Traceback" not in html
    assert not Region.objects.exists()
