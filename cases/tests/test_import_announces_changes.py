"""A case import announces changed KPI dates after commit, and a dry run or rejected file announces nothing."""

import pytest

from cases.signals import case_dates_changed
from organisation.importing import import_csv

pytestmark = pytest.mark.django_db

HEADER = (
    "reference,region_code,team_code,law_type,application_type,practitioner_username,"
    "received_on,allocated_on,report_due_on,report_filed_on,closed_on\n"
)
GOOD = (HEADER + "SIG-1,north-east,ne-durham,public,s31_care,fca,2025-04-17,2025-04-22,,,\n").encode()


@pytest.fixture
def heard():
    calls = []

    def receiver(sender, case, old_region_id=None, **kwargs):
        calls.append((case.reference, old_region_id))

    case_dates_changed.connect(receiver, dispatch_uid="test-heard")
    yield calls
    case_dates_changed.disconnect(dispatch_uid="test-heard")


def test_import_announces_each_saved_case_after_commit(practitioner, heard, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        import_csv("cases", GOOD)
    assert heard == [("SIG-1", None)]


def test_unchanged_rows_announce_nothing(practitioner, heard, django_capture_on_commit_callbacks):
    import_csv("cases", GOOD)
    with django_capture_on_commit_callbacks(execute=True):
        import_csv("cases", GOOD)
    assert heard == []


def test_dry_run_and_rejected_files_announce_nothing(practitioner, heard, django_capture_on_commit_callbacks):
    bad = GOOD + b"SIG-2,atlantis,ne-durham,public,s31_care,fca,2025-04-17,,,,\n"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        import_csv("cases", GOOD, dry_run=True)
        import_csv("cases", bad)
    assert heard == [] and callbacks == []
