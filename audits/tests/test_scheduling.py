"""Audit scheduling: every practitioner topped up to 8 audits in a rolling 12 months (4 with collaborative feedback)."""

import datetime
import random
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audits.models import Audit, AuditStatus, AuditTemplate
from audits.services.scheduling import schedule_audits
from audits.tasks import schedule_audits_task
from audits.tests.factories import AuditFactory, CompletedAuditFactory
from cases.tests.factories import CaseFactory
from organisation.tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

# A Monday with no bank holiday in the four weeks after it (the spring bank holiday was 26 May).
TODAY = datetime.date(2025, 6, 2)
# 20 working days after Monday 2 June 2025: four whole working weeks, so Monday 30 June.
EXPECTED_DUE = datetime.date(2025, 6, 30)


def at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def open_cases(practitioner, n):
    return [CaseFactory(team=practitioner.team, practitioner=practitioner) for _ in range(n)]


def completed_audits(practitioner, auditor, n, *, days_ago=100, **kwargs):
    """n completed audits of the practitioner's (closed) cases, created and completed `days_ago`."""
    day = TODAY - datetime.timedelta(days=days_ago)
    audits = []
    for _ in range(n):
        case = CaseFactory(team=practitioner.team, practitioner=practitioner, closed_on=datetime.date(2025, 5, 1))
        audits.append(CompletedAuditFactory(case=case, auditor=auditor, completed_on=day, created_at=at(day), **kwargs))
    return audits


def new_audits_of(practitioner):
    return Audit.objects.filter(case__practitioner=practitioner, status=AuditStatus.SCHEDULED, due_on=EXPECTED_DUE)


def run(**kwargs):
    kwargs.setdefault("rng", random.Random(1))
    return schedule_audits(today=TODAY, **kwargs)


def test_practitioner_with_three_audits_in_the_last_year_gets_five_more(practitioner, auditor):
    completed_audits(practitioner, auditor, 3)
    cases = open_cases(practitioner, 10)
    report = run()
    expected = 8 - 3
    new = list(new_audits_of(practitioner))
    assert len(new) == expected
    assert len(report.scheduled) == expected
    assert {a.case_id for a in new} <= {c.pk for c in cases}
    assert len({a.case_id for a in new}) == expected  # five different cases
    standard = AuditTemplate.objects.get(slug="standard", is_current=True)
    assert {a.template_id for a in new} == {standard.pk}
    assert {a.auditor_id for a in new} == {auditor.pk}
    assert report.unscheduled == []


def test_collaborative_feedback_practitioner_with_three_audits_gets_one_more(practitioner, auditor):
    practitioner.collaborative_feedback = True
    practitioner.save()
    completed_audits(practitioner, auditor, 3)
    open_cases(practitioner, 10)
    run()
    assert new_audits_of(practitioner).count() == 4 - 3


def test_practitioner_with_nine_audits_gets_none(practitioner, auditor):
    completed_audits(practitioner, auditor, 9)
    open_cases(practitioner, 10)
    report = run()
    assert new_audits_of(practitioner).count() == 0
    assert report.on_target == 1
    assert report.unscheduled == []


def test_old_and_cancelled_audits_do_not_count(practitioner, auditor):
    completed_audits(practitioner, auditor, 2)  # count
    completed_audits(practitioner, auditor, 1, days_ago=365)  # exactly a year ago: counts
    completed_audits(practitioner, auditor, 2, days_ago=366)  # older than 365 days: do not
    for _ in range(2):  # cancelled: do not count
        case = CaseFactory(team=practitioner.team, practitioner=practitioner)
        AuditFactory(case=case, auditor=auditor, status=AuditStatus.CANCELLED, created_at=at(TODAY))
    open_cases(practitioner, 10)
    run()
    assert new_audits_of(practitioner).count() == 8 - 3


def test_an_open_audit_counts_and_its_case_is_not_drawn_again(practitioner, auditor):
    busy = CaseFactory(team=practitioner.team, practitioner=practitioner)
    AuditFactory(case=busy, auditor=auditor, created_at=at(TODAY - datetime.timedelta(days=10)))
    open_cases(practitioner, 10)
    run()
    assert new_audits_of(practitioner).count() == 8 - 1
    assert not new_audits_of(practitioner).filter(case=busy).exists()


def test_a_completed_audit_counts_for_the_practitioner_copied_onto_it(practitioner, colleague, auditor):
    audits = completed_audits(practitioner, auditor, 4)
    for audit in audits:  # the cases moved to a colleague after the audits completed
        audit.case.practitioner = colleague
        audit.case.save()
    open_cases(practitioner, 10)
    run()
    assert new_audits_of(practitioner).count() == 8 - 4


def test_closed_cases_are_never_drawn(practitioner, auditor):
    closed = [
        CaseFactory(team=practitioner.team, practitioner=practitioner, closed_on=datetime.date(2025, 5, 1))
        for _ in range(5)
    ]
    open_cases(practitioner, 2)
    report = run()
    assert new_audits_of(practitioner).count() == 2
    assert not Audit.objects.filter(case__in=closed).exists()
    [short] = report.unscheduled
    assert (short.practitioner, short.shortfall, short.scheduled) == (practitioner, 8, 2)


def test_the_auditor_is_never_the_practitioner_nor_allocated_to_the_case(team):
    # Everyone here both practises and audits: each may only audit the others' cases.
    people = [UserFactory(team=team, roles=["practitioner", "auditor"]) for _ in range(3)]
    for person in people:
        open_cases(person, 8)
    report = run()
    assert len(report.scheduled) == 3 * 8
    for audit in Audit.objects.select_related("case"):
        assert audit.auditor_id != audit.case.practitioner_id
    for item in report.scheduled:
        assert item.auditor.pk != item.practitioner.pk


def test_auditors_with_fewer_open_audits_are_given_the_work_first(practitioner, colleague, team):
    busy = UserFactory(team=team, roles=["auditor"])
    free = UserFactory(team=team, roles=["auditor"])
    for _ in range(3):  # busy's open work, on the colleague's cases (the colleague is then on 3 audits)
        AuditFactory(case=CaseFactory(team=team, practitioner=colleague), auditor=busy, created_at=at(TODAY))
    completed_audits(practitioner, busy, 3)
    open_cases(practitioner, 10)
    run()
    new = new_audits_of(practitioner)
    # Loads 3 and 0: free takes the first three, then they are level and the fourth goes
    # to either; the fifth then goes to whoever did not take the fourth.
    assert new.filter(auditor=free).count() == 4
    assert new.filter(auditor=busy).count() == 1


def test_a_second_run_the_same_day_schedules_nothing(practitioner, colleague, auditor):
    open_cases(practitioner, 10)
    open_cases(colleague, 3)
    first = run()
    assert len(first.scheduled) == 8 + 3
    count = Audit.objects.count()
    second = run(rng=random.Random(99))
    assert second.scheduled == []
    assert Audit.objects.count() == count


def test_the_same_seed_gives_the_same_schedule(practitioner, colleague, auditor, team):
    UserFactory(team=team, roles=["auditor"])
    open_cases(practitioner, 20)
    open_cases(colleague, 20)

    def plan(report):
        return [(s.practitioner.pk, s.case.pk, s.auditor.pk, s.due_on) for s in report.scheduled]

    preview = plan(run(rng=random.Random(42), dry_run=True))
    assert preview == plan(run(rng=random.Random(42), dry_run=True))
    assert Audit.objects.count() == 0  # a dry run writes nothing
    done = run(rng=random.Random(42))
    assert plan(done) == preview
    assert sorted(Audit.objects.values_list("case_id", flat=True)) == sorted(p[1] for p in preview)


def test_a_practitioner_with_no_open_cases_is_reported_and_others_are_still_scheduled(practitioner, colleague, auditor):
    open_cases(colleague, 10)
    report = run()
    [short] = report.unscheduled
    assert (short.practitioner, short.shortfall, short.scheduled) == (practitioner, 8, 0)
    assert "no open case" in short.reason
    assert new_audits_of(colleague).count() == 8


def test_a_practitioner_with_no_eligible_auditor_is_reported(practitioner, auditor, other_team):
    elsewhere = UserFactory(team=other_team, roles=["practitioner"])  # no auditor in that region
    open_cases(elsewhere, 10)
    open_cases(practitioner, 10)
    report = run()
    [short] = report.unscheduled
    assert (short.practitioner, short.scheduled) == (elsewhere, 0)
    assert "auditor" in short.reason
    assert new_audits_of(practitioner).count() == 8


def test_inactive_people_are_neither_scheduled_nor_given_audits(practitioner, auditor, team):
    gone = UserFactory(team=team, roles=["practitioner"], is_active=False)
    UserFactory(team=team, roles=["auditor"], is_active=False)
    open_cases(gone, 5)
    open_cases(practitioner, 10)
    run()
    assert not Audit.objects.filter(case__practitioner=gone).exists()
    assert set(Audit.objects.values_list("auditor_id", flat=True)) == {auditor.pk}


def test_the_query_count_does_not_grow_with_the_number_of_practitioners(region, auditor):
    def add_practitioners(n):
        for _ in range(n):
            person = UserFactory(team=TeamFactory(region=region), roles=["practitioner"])
            open_cases(person, 9)
            completed_audits(person, auditor, 1)

    add_practitioners(2)
    with CaptureQueriesContext(connection) as small:
        assert len(run().scheduled) == 2 * 7
    add_practitioners(6)  # the first two are now on target; these six are not
    with CaptureQueriesContext(connection) as large:
        assert len(run().scheduled) == 6 * 7
    assert len(large.captured_queries) == len(small.captured_queries)
    # savepoint, template (locked), practitioners, counted audits, open cases, auditors with
    # their load, insert audits, insert their history rows, the auditors' email choices and one
    # insert of their mails (work app), release savepoint.
    assert len(small.captured_queries) == 11


def test_the_audit_history_records_who_scheduled(practitioner, auditor, quality_admin):
    open_cases(practitioner, 8)
    run(by=quality_admin)
    audit = Audit.objects.first()
    assert audit.created_by == quality_admin
    assert audit.history.get().history_user == quality_admin


def test_the_task_schedules_and_returns_the_count(practitioner, auditor):
    open_cases(practitioner, 10)
    assert schedule_audits_task(TODAY.isoformat()) == 8
    assert schedule_audits_task(TODAY.isoformat()) == 0


def test_collaborative_feedback_is_editable_in_the_admin(admin_client, practitioner):
    page = admin_client.get(f"/admin/organisation/user/{practitioner.pk}/change/")
    assert page.status_code == 200
    assert 'name="collaborative_feedback"' in page.content.decode()


# ---- the command ------------------------------------------------------------------------


def call(*args):
    out = StringIO()
    call_command("schedule_audits", *args, stdout=out)
    return out.getvalue()


def test_command_prints_what_it_scheduled_and_who_could_not_be(practitioner, colleague, auditor):
    cases = open_cases(colleague, 10)
    out = call("--today", TODAY.isoformat(), "--seed", "3")
    scheduled = [line for line in out.splitlines() if line.startswith("Scheduled: ")]
    assert len(scheduled) == 8
    assert all(f"due {EXPECTED_DUE:%Y-%m-%d}" in line and "auditor Ada Auditor" in line for line in scheduled)
    assert {line.split()[1] for line in scheduled} <= {c.reference for c in cases}
    assert "Could not schedule 8 of 8 for Priya Practitioner (fca): no open case" in out
    assert "Scheduled 8 audits" in out
    assert Audit.objects.count() == 8
    again = call("--today", TODAY.isoformat(), "--seed", "3")
    assert "Scheduled 0 audits" in again
    assert Audit.objects.count() == 8


def test_command_dry_run_prints_the_same_plan_and_saves_nothing(practitioner, auditor):
    open_cases(practitioner, 20)
    preview = call("--today", TODAY.isoformat(), "--dry-run")
    assert Audit.objects.count() == 0
    would = [
        line.removeprefix("Would schedule: ") for line in preview.splitlines() if line.startswith("Would schedule: ")
    ]
    assert len(would) == 8
    out = call("--today", TODAY.isoformat())  # the default seed is the day: the same draw
    did = [line.removeprefix("Scheduled: ") for line in out.splitlines() if line.startswith("Scheduled: ")]
    assert did == would


def test_command_refuses_a_bad_date():
    with pytest.raises(CommandError, match="not a date") as error:
        call("--today", "2025-13-01")
    assert error.value.returncode == 1


def test_command_fails_clearly_without_a_current_standard_template():
    AuditTemplate.objects.filter(slug="standard").update(is_current=False)
    with pytest.raises(CommandError, match="standard"):
        call("--today", TODAY.isoformat())


def test_command_help_names_its_options():
    from audits.management.commands.schedule_audits import Command

    text = Command().create_parser("manage.py", "schedule_audits").format_help()
    for option in ("--dry-run", "--seed", "--today"):
        assert option in text
