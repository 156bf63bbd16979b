"""`apply_retention`: cases closed longer than RETENTION_YEARS lose their children's details and
free text (history too) and keep every grade, count and date, so the dashboards do not move;
old access and sign-in records go; dry-run changes nothing; a second run changes nothing."""

import datetime
from io import StringIO

import pytest
from axes.models import AccessFailureLog
from django.core.management import call_command
from django.utils import timezone

from audits.models import Audit, Grade, Judgement, LearningAction, Moderation
from audits.tests.factories import CompletedAuditFactory, JudgementFactory
from cases.models import ApplicationType, Case, Child, LawType
from cases.tests.factories import CaseFactory, ChildFactory
from dashboards.models import CriterionSnapshot, KpiSnapshot, ModerationSnapshot
from feedback.models import Feedback
from feedback.tests.factories import FeedbackFactory
from organisation.models import AccessRecord
from retention.services import REMOVED, retention_cutoff

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 30)  # RETENTION_YEARS = 7: closed before 30 June 2019 is due


def case_with_records(reference, *, team, practitioner, auditor, received, closed):
    case = CaseFactory(
        reference=reference,
        team=team,
        practitioner=practitioner,
        law_type=LawType.PRIVATE,
        application_type=ApplicationType.SECTION_7,
        received_on=received,
        allocated_on=received + datetime.timedelta(days=2),
        report_due_on=received + datetime.timedelta(days=60),
        report_filed_on=received + datetime.timedelta(days=55),
        closed_on=closed,
    )
    a = ChildFactory(case=case, label="Child A", age_band="5-9", ethnicity="White: Irish", religion="Catholic")
    a.gender_identity = "Girl"
    a.save()  # a second history row, with the details in it
    ChildFactory(case=case, label="Child B", age_band="10-14", disability="Autism")
    completed = received + datetime.timedelta(days=40)
    audit = CompletedAuditFactory(
        case=case,
        auditor=auditor,
        completed_on=completed,
        overall_grade=Grade.GOOD,
        rationale=f"Rationale about {reference}",
        practitioner_response=f"My reflection on {reference}",
        family_feedback=True,
    )
    JudgementFactory(audit=audit, grade=Grade.REQUIRES_IMPROVEMENT, evidence=f"Evidence from the file of {reference}")
    Moderation.objects.create(
        audit=audit, moderator=auditor, grade=Grade.MEETS_STANDARD, notes=f"Notes on {reference}", completed_at=None
    )
    Audit.objects.filter(pk=audit.pk).update(final_grade=Grade.MEETS_STANDARD, moderated_grade=Grade.MEETS_STANDARD)
    LearningAction.objects.create(audit=audit, description=f"Action for {reference}", due_on=completed)
    FeedbackFactory(case=case, received_on=completed, helpfulness=7, comments=f"Said of {reference}")
    return case


@pytest.fixture
def world(team, practitioner, auditor):
    old = case_with_records(
        "OLD-1",
        team=team,
        practitioner=practitioner,
        auditor=auditor,
        received=datetime.date(2018, 1, 10),
        closed=datetime.date(2018, 6, 1),
    )
    recent = case_with_records(
        "RECENT-1",
        team=team,
        practitioner=practitioner,
        auditor=auditor,
        received=datetime.date(2019, 1, 10),
        closed=datetime.date(2019, 7, 1),  # a day past the cutoff: six years and 364 days closed
    )
    FeedbackFactory(
        case=None,
        region=team.region,
        team=team,
        anonymous=True,
        received_on=datetime.date(2018, 3, 1),
        comments="Anonymous words, long ago",
        helpfulness=3,
    )
    FeedbackFactory(
        case=None, region=team.region, team=team, anonymous=True, received_on=datetime.date(2025, 3, 1), comments="New"
    )
    return old, recent


def figures():
    """Every figure the dashboards read: the snapshot rows without their computed time."""
    call_command("rollup_kpis", "--full", "--criteria", stdout=StringIO())
    rows = []
    for model in (KpiSnapshot, CriterionSnapshot, ModerationSnapshot):
        fields = [f.name for f in model._meta.concrete_fields if f.name not in ("id", "computed_at")]
        rows.append(sorted(tuple(r) for r in model.objects.values_list(*fields)))
    return rows


def texts(reference):
    case = Case.objects.get(reference=reference)
    audit = case.audits.get()
    return {
        "children": sorted(Child.objects.filter(case=case).values_list("label", "ethnicity", "religion", "disability")),
        "rationale": audit.rationale,
        "response": audit.practitioner_response,
        "evidence": list(Judgement.objects.filter(audit=audit).values_list("evidence", flat=True)),
        "notes": audit.moderation.notes,
        "action": list(LearningAction.objects.filter(audit=audit).values_list("description", flat=True)),
        "comments": list(Feedback.objects.filter(case=case).values_list("comments", flat=True)),
    }


def run(*args):
    out = StringIO()
    call_command("apply_retention", "--today", TODAY.isoformat(), *args, stdout=out)
    return out.getvalue()


def test_the_cutoff_is_retention_years_back(settings):
    settings.RETENTION_YEARS = 7
    assert retention_cutoff(datetime.date(2026, 6, 30)) == datetime.date(2019, 6, 30)
    assert retention_cutoff(datetime.date(2028, 2, 29)) == datetime.date(2021, 2, 28)


def test_an_old_case_loses_childrens_details_and_free_text(world):
    run()
    after = texts("OLD-1")
    assert after["children"] == [("Child 1", "", "", ""), ("Child 2", "", "", "")]
    assert (after["rationale"], after["response"], after["notes"]) == ("", "", "")
    assert after["evidence"] == [""] and after["comments"] == [""]
    assert after["action"] == [REMOVED]
    assert Case.objects.get(reference="OLD-1").anonymised_on == TODAY


def test_grades_counts_and_dates_stay(world):
    old = Case.objects.get(reference="OLD-1")
    kept = ["received_on", "allocated_on", "report_due_on", "report_filed_on", "closed_on", "allocation_working_days"]
    before_case = Case.objects.filter(pk=old.pk).values(*kept).get()
    before_audit = Audit.objects.filter(case=old).values("overall_grade", "final_grade", "completed_on").get()
    run()
    assert Case.objects.filter(pk=old.pk).values(*kept).get() == before_case
    assert Audit.objects.filter(case=old).values("overall_grade", "final_grade", "completed_on").get() == before_audit
    assert Judgement.objects.get(audit__case=old).grade == Grade.REQUIRES_IMPROVEMENT
    assert list(Child.objects.filter(case=old).order_by("pk").values_list("age_band", flat=True)) == ["5-9", "10-14"]
    assert Feedback.objects.get(case=old).helpfulness == 7


def test_the_dashboard_figures_are_identical_before_and_after(world):
    before = figures()
    assert before[0], "the roll-up found the audits"
    run()
    assert figures() == before


def test_a_case_closed_less_than_the_retention_period_ago_keeps_everything(world):
    before = texts("RECENT-1")
    run()
    assert texts("RECENT-1") == before
    assert before["rationale"] == "Rationale about RECENT-1"
    assert Case.objects.get(reference="RECENT-1").anonymised_on is None


def test_history_rows_lose_the_free_text_too(world):
    old = Case.objects.get(reference="OLD-1")
    run()
    child_history = Child.history.filter(case_id=old.pk)
    assert child_history.count() == 3  # two children, one changed once
    details = child_history.values_list("ethnicity", "religion", "gender_identity", "disability")
    assert set(details) == {("", "", "", "")}
    assert set(child_history.values_list("label", flat=True)) == {"Child 1", "Child 2"}
    audit = old.audits.get()
    assert set(Audit.history.filter(id=audit.pk).values_list("rationale", "practitioner_response")) == {("", "")}
    assert set(Judgement.history.filter(audit_id=audit.pk).values_list("evidence", flat=True)) == {""}
    assert set(Moderation.history.filter(audit_id=audit.pk).values_list("notes", flat=True)) == {""}
    assert set(LearningAction.history.filter(audit_id=audit.pk).values_list("description", flat=True)) == {REMOVED}
    assert set(Feedback.history.filter(case_id=old.pk).values_list("comments", flat=True)) == {""}
    # The recent case's history is untouched.
    recent = Case.objects.get(reference="RECENT-1").audits.get()
    assert Judgement.history.filter(audit_id=recent.pk).values_list("evidence", flat=True)[0].startswith("Evidence")


def test_old_feedback_without_a_case_loses_its_comments(world):
    run()
    kept = dict(Feedback.objects.filter(case=None).values_list("received_on", "comments"))
    assert kept == {datetime.date(2018, 3, 1): "", datetime.date(2025, 3, 1): "New"}
    history = Feedback.history.filter(case_id=None, received_on=datetime.date(2018, 3, 1))
    assert set(history.values_list("comments", flat=True)) == {""}


def test_old_access_and_failed_sign_in_records_are_purged(world, service_manager, settings):
    settings.ACCESS_LOG_RETENTION_DAYS = 365
    long_ago = timezone.make_aware(datetime.datetime(2025, 6, 1, 9))
    lately = timezone.make_aware(datetime.datetime(2026, 6, 1, 9))
    for at, ref in [(long_ago, "OLD-1"), (lately, "RECENT-1")]:
        AccessRecord.objects.create(at=at, user=service_manager, username="manager", kind="case", case_reference=ref)
    failure = AccessFailureLog.objects.create(username="x", ip_address="192.0.2.1", user_agent="", http_accept="")
    AccessFailureLog.objects.filter(pk=failure.pk).update(attempt_time=long_ago)
    output = run()
    assert list(AccessRecord.objects.values_list("case_reference", flat=True)) == ["RECENT-1"]
    assert not AccessFailureLog.objects.exists()
    assert "access records: 1 were changed" in output


def test_dry_run_reports_counts_and_changes_nothing(world):
    before = texts("OLD-1")
    output = run("--dry-run")
    assert "cases: 1 would be changed" in output
    assert "children: 2 would be changed" in output
    assert "judgements: 1 would be changed" in output
    assert "feedback without a case: 1 would be changed" in output
    assert "Dry run: nothing was changed." in output
    assert texts("OLD-1") == before
    assert Case.objects.get(reference="OLD-1").anonymised_on is None


def test_a_second_run_changes_nothing(world):
    run()
    after_first = texts("OLD-1")
    output = run()
    assert texts("OLD-1") == after_first
    assert all(line.endswith(": 0 were changed") for line in output.splitlines()[1:]), output


def test_a_bad_date_is_a_clear_error():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("apply_retention", "--today", "30/06/2026", stdout=StringIO())


def test_the_case_page_says_the_case_was_anonymised(client, world, service_manager):
    run()
    client.force_login(service_manager)
    html = client.get("/cases/OLD-1/").content.decode()
    assert "Anonymised on 30 June 2026" in html
    assert "Child 1" in html and "White: Irish" not in html
    assert "Anonymised on" not in client.get("/cases/RECENT-1/").content.decode()


def test_the_weekly_beat_job_runs_the_same_code(world, settings):
    from cafcass_qa.celery import app
    from retention.tasks import apply_retention_task

    entries = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "retention.tasks.apply_retention_task"]
    assert len(entries) == 1 and "retention.tasks.apply_retention_task" in app.tasks
    counts = apply_retention_task.delay().get()  # eager in tests; today is long past 2019 + 7 years
    assert counts["cases"] == 2  # OLD-1 and RECENT-1 are both past RETENTION_YEARS by now
    assert Case.objects.filter(anonymised_on__isnull=False).count() == 2
