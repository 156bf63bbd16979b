"""import_csv feedback: all or nothing, every bad line named, idempotent."""

import pytest

from cases.tests.factories import CaseFactory
from feedback.models import Feedback
from organisation.importing import import_csv

pytestmark = pytest.mark.django_db

HEADER = "case_reference,respondent,channel,received_on,helpfulness,worker_helped,kind,comments\n"


@pytest.fixture
def cases(team):
    CaseFactory(reference="IMP-1", team=team)
    CaseFactory(reference="IMP-2", team=team)


def test_a_good_file_imports_its_rows_and_a_second_import_changes_nothing(cases, team):
    body = HEADER + "IMP-1,child,online,2025-05-01,9,yes,feedback,Kind\nIMP-2,judge,paper,2025-05-02,,,compliment,\n"
    report = import_csv("feedback", body.encode())
    assert report.ok, report.errors
    assert report.created == 2
    assert set(Feedback.objects.values_list("team_id", flat=True)) == {team.pk}
    again = import_csv("feedback", body.encode())
    assert again.ok and again.created == 0 and again.unchanged == 2
    assert Feedback.objects.count() == 2


def test_a_bad_file_imports_nothing_and_names_every_bad_line(cases):
    body = (
        HEADER
        + "IMP-1,child,online,2025-05-01,9,yes,feedback,fine\n"  # line 2: good
        + "NOPE,child,online,2025-05-01,9,yes,feedback,\n"  # line 3: unknown case
        + "IMP-1,alien,online,2025-05-01,9,yes,feedback,\n"  # line 4: bad respondent
        + "IMP-1,child,online,01/05/2025,9,yes,feedback,\n"  # line 5: bad date
        + "IMP-1,child,online,2025-05-01,11,yes,feedback,\n"  # line 6: helpfulness out of range
        + "IMP-1,child,online,2025-05-01,5,maybe,feedback,\n"  # line 7: bad yes/no
    )
    report = import_csv("feedback", body.encode())
    assert not report.ok
    assert Feedback.objects.count() == 0
    for line, column in [
        (3, "case_reference"),
        (4, "respondent"),
        (5, "received_on"),
        (6, "helpfulness"),
        (7, "worker_helped"),
    ]:
        assert any(e.startswith(f"line {line}: {column}:") for e in report.errors), (line, report.errors)
    assert not any(e.startswith("line 2:") for e in report.errors)
