"""The set-based roll-up statements (dashboards.sql): unchanged rows untouched, rows without
sources deleted, a count added in one place, and the slice task's two steps."""

import datetime

import pytest
from django.db import connection

from audits.models import Grade
from audits.tests.factories import CompletedAuditFactory, JudgementFactory
from dashboards import rollup, tasks
from dashboards.models import (
    CriterionSnapshot,
    KpiSnapshot,
    ModerationSnapshot,
    PractitionerSnapshot,
    RollupRun,
    TemplateSnapshot,
)
from dashboards.rollup import rollup_all, rollup_slice

pytestmark = pytest.mark.django_db

JUNE = datetime.date(2025, 6, 1)
JULY = datetime.date(2025, 7, 1)
ALL_TABLES = [family.model for family in (*rollup.KPI_GROUP, *rollup.DETAILS_GROUP)]


def row_versions(model) -> dict:
    """Each row's physical version (PostgreSQL's xmin and xmax): unchanged if and only if the row
    was neither rewritten nor locked."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, xmin::text, xmax::text FROM {table}")  # noqa: S608 (a model's table)
        return {pk: (xmin, xmax) for pk, xmin, xmax in cursor.fetchall()}


def judged(team, day, grade):
    audit = CompletedAuditFactory(case__team=team, overall_grade=grade, completed_on=day)
    JudgementFactory(audit=audit, grade=grade)
    return audit


@pytest.mark.skipif(connection.vendor != "postgresql", reason="xmin and xmax are PostgreSQL's")
def test_a_rebuild_that_finds_nothing_new_neither_rewrites_nor_locks_a_row(team, other_team):
    for i, grade in enumerate([Grade.GOOD, Grade.REQUIRES_IMPROVEMENT, Grade.OUTSTANDING]):
        judged(team if i % 2 else other_team, datetime.date(2025, 6, 2 + i), grade)
    rollup_all()
    before = {model: row_versions(model) for model in ALL_TABLES}
    assert all(before[model] for model in (KpiSnapshot, TemplateSnapshot, CriterionSnapshot, PractitionerSnapshot))

    rollup_all(criteria=False)
    rollup_slice(region_id=team.region_id, month=JUNE)
    rollup.rollup_criteria()

    assert {model: row_versions(model) for model in ALL_TABLES} == before


def test_only_the_changed_row_is_written(team, other_team):
    judged(team, datetime.date(2025, 6, 3), Grade.GOOD)
    judged(other_team, datetime.date(2025, 6, 3), Grade.GOOD)
    rollup_all()
    stamps = dict(KpiSnapshot.objects.values_list("team_id", "computed_at"))

    judged(team, datetime.date(2025, 6, 9), Grade.REQUIRES_IMPROVEMENT)
    rollup_all()

    after = {row.team_id: row for row in KpiSnapshot.objects.all()}
    assert after[other_team.pk].computed_at == stamps[other_team.pk]
    assert after[team.pk].computed_at > stamps[team.pk]
    assert (after[team.pk].audits, after[team.pk].requires_improvement) == (2, 1)


def test_rows_that_lost_their_sources_are_deleted_by_the_full_rebuild_and_by_their_slice(team, other_team):
    here = judged(team, datetime.date(2025, 6, 3), Grade.GOOD)
    there = judged(other_team, datetime.date(2025, 6, 3), Grade.GOOD)
    rollup_all()
    # A row no source gives (as after a bulk delete behind the signals' back), in a July slice.
    KpiSnapshot.objects.create(region=team.region, team=team, month=JULY, audits=7)
    for audit in (here, there):
        audit.status = "cancelled"
        audit.save()

    rollup_slice(region_id=team.region_id, month=JUNE)  # this slice only
    assert not KpiSnapshot.objects.filter(region=team.region, month=JUNE, audits__gt=0).exists()
    assert not CriterionSnapshot.objects.filter(region=team.region).exists()
    assert KpiSnapshot.objects.filter(region=other_team.region, month=JUNE, audits=1).exists()
    assert KpiSnapshot.objects.filter(month=JULY).exists()

    rollup_all()
    assert not KpiSnapshot.objects.filter(month=JULY).exists()
    assert not KpiSnapshot.objects.filter(audits__gt=0).exists()  # the cases' own counts stay
    for model in ALL_TABLES:
        if model is not KpiSnapshot:
            assert not model.objects.exists(), model.__name__


def test_a_family_s_columns_are_its_model_s_columns_that_its_parts_give():
    """Adding a count is a model column and one line in a part: the statement picks it up by name."""
    select, columns = rollup.KPIS.select(rollup._Scope())
    counts = [
        f.column for f in KpiSnapshot._meta.concrete_fields if f.column not in {"id", "computed_at", *rollup.SLICE}
    ]
    assert columns == counts
    # The parts joined on the key (PostgreSQL) or summed by it (SQLite).
    assert ("FULL JOIN" if connection.vendor == "postgresql" else "UNION ALL") in select.sql
    _, columns = rollup.MODERATION.select(rollup._Scope(region_id=1, month=JUNE))
    assert columns == ["count"]


def test_moderation_counts_in_templates_and_kpis_agree(team):
    audit = judged(team, datetime.date(2025, 6, 3), Grade.GOOD)
    audit.moderated_grade = Grade.GOOD
    audit.save()
    rollup_all()
    template = TemplateSnapshot.objects.get()
    assert (template.moderated, template.moderated_agree) == (1, 1)
    kpi = KpiSnapshot.objects.get(audits__gt=0)
    assert (kpi.moderated, kpi.moderated_agree) == (1, 1)
    assert ModerationSnapshot.objects.get().count == 1


def test_the_slice_task_writes_the_kpi_group_then_its_details_as_a_second_task(team, monkeypatch):
    judged(team, datetime.date(2025, 6, 3), Grade.GOOD)
    details = []
    monkeypatch.setattr(tasks.rollup_details_task, "delay", lambda *args: details.append(args))

    assert tasks.rollup_slice_task.delay(team.region_id, "2025-06").get() == 1
    assert KpiSnapshot.objects.get(audits__gt=0).good == 1
    assert not CriterionSnapshot.objects.exists()  # not yet: queued
    assert details == [(team.region_id, "2025-06")]

    assert tasks.rollup_details_task(*details[0]) == 1
    assert CriterionSnapshot.objects.get().graded == 1
    assert PractitionerSnapshot.objects.get().audits == 1
    assert list(RollupRun.objects.values_list("kind", flat=True)) == ["slice", "slice"]  # both move "figures as of"


def test_a_nightly_catch_up_of_many_slices_is_one_details_rebuild(team, monkeypatch):
    for day in (datetime.date(2025, 6, 3), datetime.date(2025, 7, 3), datetime.date(2025, 8, 3)):
        judged(team, day, Grade.GOOD)
    monkeypatch.setattr(rollup, "CATCH_UP_SLICES", 2)
    rebuilt = []
    monkeypatch.setattr(tasks.rollup_criteria, "delay", lambda: rebuilt.append(True))

    rollup_all(criteria=False)  # empty snapshots: three region-months changed

    assert rebuilt == [True]
    assert KpiSnapshot.objects.filter(audits__gt=0).count() == 3
    assert not CriterionSnapshot.objects.exists()  # left to the queued rebuild
