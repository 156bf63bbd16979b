"""Several workers rolling up at once: two runs of one slice take turns, so the run that read
first can never commit last and put back the figures from before a newer audit."""

import datetime
import threading

import pytest
from django.db import connection

from audits.tests.factories import CompletedAuditFactory
from dashboards import rollup
from dashboards.models import KpiSnapshot

JUNE = datetime.date(2025, 6, 1)
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="advisory locks are PostgreSQL's"),
]


def run_in_thread(name, target):
    errors = []

    def body():
        try:
            target()
        except Exception as exc:  # reported by the test, not lost in the thread
            errors.append(exc)
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=body, name=name, daemon=True)
    thread.start()
    return thread, errors


def test_a_slow_run_that_read_first_cannot_overwrite_a_later_run_of_the_same_slice(team, monkeypatch):
    read_first = threading.Event()
    carry_on = threading.Event()
    collect = rollup._collect_audits

    def slow_collect(scope, result):
        collect(scope, result)
        if threading.current_thread().name == "first":
            read_first.set()  # the first worker has read the audits as they were ...
            carry_on.wait(10)  # ... and is slow to write them

    monkeypatch.setattr(rollup, "_collect_audits", slow_collect)
    first, first_errors = run_in_thread("first", lambda: rollup.rollup_slice(region_id=team.region_id, month=JUNE))
    assert read_first.wait(10)

    # Meanwhile an audit of that month is completed and its roll-up goes to a second worker.
    CompletedAuditFactory(case__team=team, completed_on=datetime.date(2025, 6, 12))
    second, second_errors = run_in_thread("second", lambda: rollup.rollup_slice(region_id=team.region_id, month=JUNE))
    second.join(1.0)
    assert second.is_alive(), "the second run of the slice did not wait for the first"

    carry_on.set()
    first.join(10)
    second.join(10)
    assert not first.is_alive() and not second.is_alive()
    assert first_errors == second_errors == []
    assert KpiSnapshot.objects.get(region_id=team.region_id, month=JUNE).audits == 1


def test_runs_of_different_slices_do_not_wait_for_each_other(team, other_team, monkeypatch):
    holding = threading.Event()
    release = threading.Event()
    collect = rollup._collect_audits

    def slow_collect(scope, result):
        collect(scope, result)
        if threading.current_thread().name == "holder":
            holding.set()
            release.wait(10)

    monkeypatch.setattr(rollup, "_collect_audits", slow_collect)
    CompletedAuditFactory(case__team=other_team, completed_on=datetime.date(2025, 6, 3))
    holder, holder_errors = run_in_thread("holder", lambda: rollup.rollup_slice(region_id=team.region_id, month=JUNE))
    try:
        assert holding.wait(10)
        other, other_errors = run_in_thread(
            "other", lambda: rollup.rollup_slice(region_id=other_team.region_id, month=JUNE)
        )
        other.join(10)
        assert not other.is_alive(), "a run of another region's slice waited for this one"
        # A full rebuild covers every slice: it waits for the one in progress.
        full, full_errors = run_in_thread("full", lambda: rollup.rollup_all(criteria=False))
        full.join(1.0)
        assert full.is_alive(), "the full rebuild did not wait for the slice in progress"
    finally:
        release.set()
    holder.join(10)
    full.join(10)
    assert holder_errors == other_errors == full_errors == []
    assert KpiSnapshot.objects.get(region_id=other_team.region_id, month=JUNE).audits == 1
