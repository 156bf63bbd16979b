"""Roll-ups through the queue: signals enqueue the slice after commit; a dead broker loses nothing."""

import contextlib
import datetime
import io
import logging
import time

import pytest
from django.core.management import call_command
from django.db import transaction

from audits.models import Audit, AuditStatus, Grade
from audits.signals import audit_completed, audits_imported, moderation_completed
from audits.tests.factories import AuditFactory, CompletedAuditFactory
from cafcass_qa.celery import app
from cases.signals import case_dates_changed
from cases.tests.factories import CaseFactory
from dashboards.models import KpiSnapshot
from dashboards.tasks import rollup_all, rollup_slice_task

JUNE = datetime.date(2025, 6, 1)
CLOSED_PORT_BROKER = "redis://127.0.0.1:6399/0"
WORKER_BROKER = "redis://127.0.0.1:6379/1"  # database 1: nobody else's queue


def completed_on_commit(team, grade=Grade.GOOD, day=datetime.date(2025, 6, 12)):
    """Complete an audit the way the audits service does: save, then announce after commit."""
    with transaction.atomic():
        audit = CompletedAuditFactory(case__team=team, overall_grade=grade, completed_on=day)
        transaction.on_commit(lambda: audit_completed.send(sender=Audit, audit=audit))
    return audit


@contextlib.contextmanager
def celery_broker(url: str):
    """Publish to a real broker (eager mode off) for the duration; restore afterwards."""
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager", "broker_transport_options")}
    app.conf.update(broker_url=url, task_always_eager=False)
    _forget_connections()
    try:
        yield
    finally:
        app.conf.update(saved)
        _forget_connections()


def _forget_connections():
    """Connection and producer pools are bound to the broker they were made for: drop both."""
    app.amqp._producer_pool = None
    app._pool = None


@pytest.mark.django_db
def test_the_eager_task_recomputes_a_slice(team):
    CompletedAuditFactory(case__team=team, completed_on=datetime.date(2025, 6, 3))
    assert rollup_slice_task.delay(team.region_id, "2025-06").get() == 1
    assert KpiSnapshot.objects.get(month=JUNE).audits == 1
    assert rollup_all.delay().get() >= 1


@pytest.mark.django_db
def test_completing_an_audit_updates_its_slice_after_commit(team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        completed_on_commit(team, Grade.OUTSTANDING)
    assert KpiSnapshot.objects.get(month=JUNE).outstanding == 1


@pytest.mark.django_db
def test_the_audits_service_completion_reaches_the_snapshot(team, auditor, django_capture_on_commit_callbacks):
    from audits.services.workflow import audit_complete

    audit = AuditFactory(case__team=team, auditor=auditor, status=AuditStatus.SUBMITTED, overall_grade=Grade.GOOD)
    with django_capture_on_commit_callbacks(execute=True):
        audit_complete(audit=audit, by=auditor, completed_on=datetime.date(2025, 6, 20))
    row = KpiSnapshot.objects.get(month=JUNE)
    assert (row.region_id, row.team_id, row.good) == (team.region_id, team.pk, 1)


@pytest.mark.django_db
def test_a_rolled_back_completion_enqueues_nothing(team, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        contextlib.suppress(RuntimeError),
        transaction.atomic(),
    ):
        audit = CompletedAuditFactory(case__team=team)
        audit_completed.send(sender=Audit, audit=audit)  # sent inside: the receiver still waits
        raise RuntimeError("rolled back")
    assert callbacks == []
    assert not KpiSnapshot.objects.exists()


@pytest.mark.django_db
def test_moderation_imports_and_case_date_changes_enqueue_their_slices(
    team, other_team, django_capture_on_commit_callbacks
):
    audit = CompletedAuditFactory(case__team=team, completed_on=datetime.date(2025, 6, 3))
    with django_capture_on_commit_callbacks(execute=True):
        moderation_completed.send(sender=Audit, audit=audit)
    assert KpiSnapshot.objects.get(month=JUNE, region=team.region).audits == 1

    imported = CompletedAuditFactory(case__team=other_team, completed_on=datetime.date(2025, 7, 9))
    with django_capture_on_commit_callbacks(execute=True):
        audits_imported.send(sender=Audit, audit_ids=[imported.pk], regions_months={(other_team.region_id, "2025-07")})
    assert KpiSnapshot.objects.get(month=datetime.date(2025, 7, 1)).audits == 1

    case = CaseFactory(team=team, received_on=datetime.date(2025, 8, 4))
    with django_capture_on_commit_callbacks(execute=True):
        case_dates_changed.send(sender=type(case), case=case, old_region_id=None)
    assert KpiSnapshot.objects.get(month=datetime.date(2025, 8, 1)).private_received == 1


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_the_audit_is_saved_the_error_logged_and_rollup_kpis_catches_up(team, caplog):
    caplog.set_level(logging.ERROR, logger="dashboards.receivers")
    started = time.monotonic()
    with celery_broker(CLOSED_PORT_BROKER):
        audit = completed_on_commit(team, Grade.REQUIRES_IMPROVEMENT)
    assert time.monotonic() - started < 10  # the publish fails fast; the user is not kept waiting

    assert Audit.objects.filter(pk=audit.pk, status=AuditStatus.COMPLETED).exists()
    assert not KpiSnapshot.objects.filter(month=JUNE).exists()
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert errors and f"region {team.region_id}, month 2025-06" in errors[0].getMessage()
    assert errors[0].exc_info  # logged with the traceback

    call_command("rollup_kpis")
    assert KpiSnapshot.objects.get(month=JUNE).requires_improvement == 1


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_on_redis_updates_the_snapshot_when_an_audit_is_completed(team, auditor):
    from celery.contrib.testing.worker import start_worker

    from audits.services.workflow import audit_complete

    with celery_broker(WORKER_BROKER):
        with app.connection_for_write() as conn:
            conn.default_channel.client.flushdb()  # database 1 is ours: drop leftovers of earlier runs
        with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=30):
            audit = AuditFactory(
                case__team=team, auditor=auditor, status=AuditStatus.SUBMITTED, overall_grade=Grade.OUTSTANDING
            )
            audit_complete(audit=audit, by=auditor, completed_on=datetime.date(2025, 6, 18))  # commits (autocommit)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                row = KpiSnapshot.objects.filter(month=JUNE, team=team).first()
                if row is not None:
                    break
                time.sleep(0.2)
    assert row is not None, "the worker did not roll the slice up within 30 seconds"
    assert (row.audits, row.outstanding) == (1, 1)


@pytest.mark.django_db
def test_a_case_moved_between_regions_recomputes_both(team, other_team, django_capture_on_commit_callbacks):
    case = CaseFactory(team=team, received_on=datetime.date(2025, 8, 4))
    call_command("rollup_kpis", stdout=io.StringIO())
    assert KpiSnapshot.objects.get(region=team.region, month=datetime.date(2025, 8, 1)).private_received == 1

    case.region, case.team = other_team.region, other_team
    case.save()
    with django_capture_on_commit_callbacks(execute=True):
        case_dates_changed.send(sender=type(case), case=case, old_region_id=team.region_id)

    assert not KpiSnapshot.objects.filter(region=team.region, month=datetime.date(2025, 8, 1)).exists()
    assert KpiSnapshot.objects.get(region=other_team.region, month=datetime.date(2025, 8, 1)).private_received == 1
