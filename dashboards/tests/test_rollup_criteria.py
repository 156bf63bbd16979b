"""Criterion snapshots at scale: the nightly rebuild leaves them to the slices, the weekly one rebuilds all."""

import datetime
import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audits.models import Grade, Judgement
from audits.tests.factories import CompletedAuditFactory, CriterionFactory, JudgementFactory
from dashboards import tasks
from dashboards.models import CriterionSnapshot, KpiSnapshot, ModerationSnapshot
from dashboards.rollup import rollup_all, rollup_criteria, rollup_slice

pytestmark = pytest.mark.django_db

JUNE = datetime.date(2025, 6, 1)
JULY = datetime.date(2025, 7, 1)


def judged(team, day, grade, criterion=None):
    audit = CompletedAuditFactory(case__team=team, overall_grade=Grade.GOOD, completed_on=day)
    kwargs = {"criterion": criterion} if criterion else {}
    return JudgementFactory(audit=audit, grade=grade, **kwargs)


def criteria_rows():
    return {
        (r.team_id, r.month, r.criterion_code): (r.graded, r.below_good, r.requires_improvement, r.computed_at)
        for r in CriterionSnapshot.objects.all()
    }


def judgement_reads(queries) -> int:
    return sum(Judgement._meta.db_table in q["sql"] for q in queries.captured_queries)


def test_the_nightly_rebuild_reads_no_judgement_when_no_audit_changed(team, other_team):
    first = judged(team, datetime.date(2025, 6, 3), Grade.GOOD)
    judged(other_team, datetime.date(2025, 7, 3), Grade.REQUIRES_IMPROVEMENT)
    rollup_all()
    before = criteria_rows()
    assert len(before) == 2

    with CaptureQueriesContext(connection) as queries:
        rollup_all(criteria=False)

    assert judgement_reads(queries) == 0
    assert criteria_rows() == before  # untouched, computed_at included
    # A judgement edited behind the roll-ups' back waits for the weekly rebuild.
    Judgement.objects.filter(pk=first.pk).update(grade=Grade.REQUIRES_IMPROVEMENT)
    rollup_all(criteria=False)
    assert criteria_rows() == before
    rollup_criteria()
    after = criteria_rows()
    assert after[(team.pk, JUNE, first.criterion.code)][:3] == (1, 1, 1)


def test_the_nightly_rebuild_catches_up_the_criteria_of_a_slice_whose_roll_up_was_lost(team, other_team):
    kept = judged(other_team, datetime.date(2025, 6, 3), Grade.GOOD)
    judged(team, datetime.date(2025, 6, 3), Grade.GOOD)
    rollup_all()
    untouched = criteria_rows()[(other_team.pk, JUNE, kept.criterion.code)]

    # An audit completed while the broker was down: no slice roll-up ran.
    late = judged(team, datetime.date(2025, 6, 20), Grade.REQUIRES_IMPROVEMENT)
    rollup_all(criteria=False)

    rows = criteria_rows()
    assert rows[(team.pk, JUNE, late.criterion.code)][:3] == (1, 1, 1)
    assert rows[(other_team.pk, JUNE, kept.criterion.code)] == untouched  # another region: not recomputed
    assert KpiSnapshot.objects.get(team=team, month=JUNE).audits == 2


def test_the_nightly_rebuild_removes_the_criteria_of_a_slice_that_lost_its_audits(team):
    judgement = judged(team, datetime.date(2025, 6, 3), Grade.GOOD)
    rollup_all()
    audit = judgement.audit
    audit.status = "cancelled"
    audit.save()

    rollup_all(criteria=False)

    assert not CriterionSnapshot.objects.exists()
    assert not KpiSnapshot.objects.filter(audits__gt=0).exists()


def test_the_nightly_rebuild_on_empty_snapshots_builds_the_criteria_too(team, other_team):
    for day in [datetime.date(2025, 6, 3), datetime.date(2025, 7, 3)]:
        judged(team, day, Grade.MEETS_STANDARD)
        judged(other_team, day, Grade.GOOD)
    rollup_all(criteria=False)
    from_nightly = {key: value[:3] for key, value in criteria_rows().items()}
    rollup_all()
    assert from_nightly == {key: value[:3] for key, value in criteria_rows().items()}
    assert len(from_nightly) == 4


def test_rollup_criteria_equals_the_slices_and_removes_stale_rows(team, other_team):
    criterion = CriterionFactory(code="analysis")
    judged(team, datetime.date(2025, 6, 3), Grade.REQUIRES_IMPROVEMENT, criterion=criterion)
    judged(team, datetime.date(2025, 7, 3), Grade.OUTSTANDING, criterion=criterion)
    judged(other_team, datetime.date(2025, 6, 9), Grade.MEETS_STANDARD, criterion=criterion)
    for region_id, month in [(team.region_id, JUNE), (team.region_id, JULY), (other_team.region_id, JUNE)]:
        rollup_slice(region_id=region_id, month=month)
    by_slices = {key: value[:3] for key, value in criteria_rows().items()}
    CriterionSnapshot.objects.create(region=team.region, team=team, month=JULY, criterion_code="gone", graded=1)

    assert rollup_criteria() == 3
    assert {key: value[:3] for key, value in criteria_rows().items()} == by_slices
    assert ModerationSnapshot.objects.count() == 0


def test_the_command_rebuilds_criteria_only_when_asked(team):
    judged(team, datetime.date(2025, 6, 3), Grade.GOOD)
    out = io.StringIO()
    call_command("rollup_kpis", "--full", stdout=out)
    assert "Rebuilt every KPI snapshot:" in out.getvalue()
    assert "criterion" not in out.getvalue()
    assert CriterionSnapshot.objects.count() == 1  # a first rebuild catches up every slice

    CriterionSnapshot.objects.update(graded=99)
    call_command("rollup_kpis", "--full", stdout=io.StringIO())
    assert CriterionSnapshot.objects.get().graded == 99  # the nightly rebuild trusts the slices
    out = io.StringIO()
    call_command("rollup_kpis", "--full", "--criteria", stdout=out)
    assert "Rebuilt every criterion snapshot: 1 rows." in out.getvalue()
    assert CriterionSnapshot.objects.get().graded == 1


def test_the_command_refuses_criteria_with_one_slice(region):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="--criteria goes with --full"):
        call_command("rollup_kpis", "--criteria", "--region", region.code, "--month", "2025-06")


def test_the_tasks_and_the_beat_schedule(team):
    judged(team, datetime.date(2025, 6, 3), Grade.GOOD)
    assert tasks.rollup_all.delay().get() >= 1
    assert tasks.rollup_criteria.delay().get() == 1
    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"dashboards.tasks.rollup_all", "dashboards.tasks.rollup_criteria"} <= schedule
