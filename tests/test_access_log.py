"""Who saw what: every view of a case, an audit, feedback and every export is recorded (who, what,
when, from where), one INSERT per page; quality admins read the log; `access_report` prints it."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audits.tests.factories import CompletedAuditFactory
from cases.tests.factories import CaseFactory, ChildFactory
from feedback.tests.factories import FeedbackFactory
from organisation.access_log import Kind, record_view
from organisation.models import AccessRecord

pytestmark = pytest.mark.django_db

ADDRESS = "192.0.2.44"


@pytest.fixture
def case(team, practitioner):
    case = CaseFactory(reference="SEEN-1", team=team, practitioner=practitioner)
    ChildFactory(case=case, label="Child A")
    return case


def get(client, url, **extra):
    return client.get(url, REMOTE_ADDR=ADDRESS, **extra)


def test_opening_a_case_records_who_what_when_and_from_where(client, service_manager, case):
    client.force_login(service_manager)
    before = timezone.now()
    assert get(client, reverse("cases:detail", args=["SEEN-1"])).status_code == 200
    record = AccessRecord.objects.get()
    assert (record.user_id, record.username) == (service_manager.pk, "manager")
    assert (record.kind, record.case_reference, record.object_id) == ("case", "SEEN-1", str(case.pk))
    assert record.ip_address == ADDRESS
    assert record.path == "/cases/SEEN-1/"
    assert before <= record.at <= timezone.now()


def test_an_outsider_refused_the_case_leaves_no_view_record(client, other_manager, case):
    client.force_login(other_manager)
    assert get(client, reverse("cases:detail", args=["SEEN-1"])).status_code == 404
    assert not AccessRecord.objects.exists()


def test_opening_an_audit_records_it_under_its_case(client, service_manager, case):
    audit = CompletedAuditFactory(case=case)
    client.force_login(service_manager)
    assert get(client, reverse("audits:detail", args=[audit.pk])).status_code == 200
    record = AccessRecord.objects.get()
    assert (record.kind, record.object_id, record.case_reference) == ("audit", str(audit.pk), "SEEN-1")


def test_the_feedback_list_records_each_feedback_it_shows_in_one_insert(client, service_manager, case):
    shown = [FeedbackFactory(case=case, comments=f"Comment {n}") for n in range(3)]
    anonymous = FeedbackFactory(case=None, region=case.region, team=case.team, anonymous=True)
    client.force_login(service_manager)
    get(client, "/feedback/")  # warm the session
    AccessRecord.objects.all().delete()
    with CaptureQueriesContext(connection) as captured:
        assert get(client, "/feedback/").status_code == 200
    inserts = [q["sql"] for q in captured.captured_queries if 'INSERT INTO "organisation_accessrecord"' in q["sql"]]
    assert len(inserts) == 1
    records = {(r.object_id, r.case_reference) for r in AccessRecord.objects.filter(kind="feedback")}
    assert records == {(str(f.pk), "SEEN-1") for f in shown} | {(str(anonymous.pk), "")}


def test_recording_a_view_costs_one_query(rf, service_manager, django_assert_num_queries):
    request = rf.get("/cases/X/", REMOTE_ADDR=ADDRESS)
    request.user = service_manager
    with django_assert_num_queries(1):
        record_view(request, Kind.CASE, object_id=1, case_reference="X")


def test_the_case_export_is_recorded(client, quality_admin, case):
    client.force_login(quality_admin)
    response = get(client, reverse("cases:export") + "?law_type=private")
    assert response.status_code == 200
    record = AccessRecord.objects.get()
    assert (record.kind, record.object_id, record.username) == ("export", "cases.csv", "qa")
    assert record.path == "/cases/export.csv?law_type=private"


def test_an_admin_export_and_an_admin_case_page_are_recorded(client, quality_admin, case):
    client.force_login(quality_admin)
    columns = ["reference", "region_code", "team_code", "received_on"]
    form = {"format": "0", "resource": "0", **{f"caseresource_{c}": "on" for c in columns}}
    response = client.post("/admin/cases/case/export/", form, REMOTE_ADDR=ADDRESS)
    assert response.status_code == 200 and "SEEN-1" in response.content.decode()
    assert AccessRecord.objects.filter(kind="export", object_id="admin:cases.case").count() == 1
    assert get(client, f"/admin/cases/case/{case.pk}/change/").status_code == 200
    assert AccessRecord.objects.filter(kind="case", case_reference="SEEN-1", path__startswith="/admin/").count() == 1


def test_access_report_lists_a_view_made_a_moment_before(client, service_manager, quality_admin, case):
    audit = CompletedAuditFactory(case=case)
    CaseFactory(reference="OTHER-9", team=case.team)
    client.force_login(service_manager)
    get(client, reverse("cases:detail", args=["SEEN-1"]))
    get(client, reverse("audits:detail", args=[audit.pk]))
    get(client, reverse("cases:detail", args=["OTHER-9"]))
    out = StringIO()
    call_command("access_report", "--case", "SEEN-1", stdout=out)
    lines = out.getvalue().splitlines()
    today = f"{timezone.localdate():%Y-%m-%d}"
    assert len(lines) == 3
    assert lines[0].startswith(today) and "manager  case  from 192.0.2.44  /cases/SEEN-1/" in lines[0]
    assert f"manager  audit {audit.pk}  from 192.0.2.44  /audits/{audit.pk}/" in lines[1]
    assert lines[2].startswith("2 views of case SEEN-1")
    assert "OTHER-9" not in out.getvalue()


def test_access_report_says_so_when_nobody_viewed_the_case(case):
    out = StringIO()
    call_command("access_report", "--case", "SEEN-1", stdout=out)
    assert "No views of case SEEN-1 recorded" in out.getvalue()


def test_quality_admins_read_the_log_and_nobody_edits_it(client, quality_admin, service_manager, case):
    viewer = Client()
    viewer.force_login(service_manager)
    get(viewer, reverse("cases:detail", args=["SEEN-1"]))
    record = AccessRecord.objects.get()
    client.force_login(quality_admin)
    listing = client.get("/admin/organisation/accessrecord/?kind=case").content.decode()
    assert "SEEN-1" in listing and ADDRESS in listing
    assert client.get(f"/admin/organisation/accessrecord/{record.pk}/change/").status_code == 200
    assert client.post(f"/admin/organisation/accessrecord/{record.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/organisation/accessrecord/add/").status_code == 403
    assert AccessRecord.objects.filter(pk=record.pk).exists()
    assert viewer.get("/admin/organisation/accessrecord/").status_code == 302  # not for managers


def test_old_records_are_purged_and_recent_ones_kept(rf, service_manager, settings):
    from organisation.access_log import access_log_cutoff, purge_access_log

    settings.ACCESS_LOG_RETENTION_DAYS = 30
    request = rf.get("/cases/X/", REMOTE_ADDR=ADDRESS)
    request.user = service_manager
    record_view(request, Kind.CASE, case_reference="OLD")
    record_view(request, Kind.CASE, case_reference="NEW")
    AccessRecord.objects.filter(case_reference="OLD").update(at=timezone.now() - datetime.timedelta(days=31))
    assert purge_access_log(before=access_log_cutoff(), dry_run=True) == 1
    assert AccessRecord.objects.count() == 2
    assert purge_access_log(before=access_log_cutoff()) == 1
    assert list(AccessRecord.objects.values_list("case_reference", flat=True)) == ["NEW"]


def test_the_practitioners_response_page_records_the_audit(client, practitioner, case):
    audit = CompletedAuditFactory(case=case)
    client.force_login(practitioner)
    assert get(client, reverse("audits:response", args=[audit.pk])).status_code == 200
    record = AccessRecord.objects.get()
    assert (record.kind, record.object_id, record.case_reference, record.username) == (
        "audit",
        str(audit.pk),
        "SEEN-1",
        "fca",
    )
