"""'Figures as of' is the newest roll-up run, even one that found every row unchanged."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboards import selectors
from dashboards.models import KpiSnapshot, RollupRun
from dashboards.rollup import RUNS_KEPT_DAYS, rollup_all, rollup_criteria, rollup_slice

from .helpers import make_audits

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
JUNE = datetime.date(2025, 6, 10)


def at(day, hour=2):
    return time_machine.travel(datetime.datetime(2025, 7, day, hour, 15, tzinfo=UTC), tick=False)


def test_a_night_that_changes_nothing_still_moves_figures_as_of(team):
    make_audits(team, JUNE, [4, 3, 2])
    with at(1):
        rollup_all(criteria=False)
    written = set(KpiSnapshot.objects.values_list("computed_at", flat=True))
    with at(2):
        rollup_all(criteria=False)  # nothing changed in the sources
    assert set(KpiSnapshot.objects.values_list("computed_at", flat=True)) == written  # no row rewritten
    assert selectors.computed_at() == datetime.datetime(2025, 7, 2, 2, 15, tzinfo=UTC)
    assert selectors.snapshot_status()["computed_at"] == datetime.datetime(2025, 7, 2, 2, 15, tzinfo=UTC)


def test_each_kind_of_run_is_recorded_and_old_runs_are_forgotten(team):
    make_audits(team, JUNE, [3])
    with at(1):
        rollup_slice(region_id=team.region_id, month=JUNE)
        rollup_criteria()
    with time_machine.travel(
        datetime.datetime(2025, 7, 1, 3, tzinfo=UTC) + datetime.timedelta(days=RUNS_KEPT_DAYS + 1)
    ):
        rollup_all()
    kinds = list(RollupRun.objects.values_list("kind", "region_id", "month"))
    assert kinds == [("full", None, None)]  # the slice and criteria runs of 36 days ago are gone
    with at(3):
        rollup_slice(region_id=team.region_id, month=JUNE)
    slice_run = RollupRun.objects.get(kind="slice")
    assert (slice_run.region_id, slice_run.month) == (team.region_id, datetime.date(2025, 6, 1))


def test_figures_as_of_is_one_query_and_none_before_any_roll_up():
    with CaptureQueriesContext(connection) as queries:
        assert selectors.snapshot_status() == {"computed_at": None, "latest_month": None}
    assert len(queries) == 1
