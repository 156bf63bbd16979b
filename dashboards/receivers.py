"""Listen to the source apps' announcements and enqueue the slices they touch.

Enqueueing waits for the surrounding transaction to commit (`transaction.on_commit` runs
at once when there is none, as when a signal is itself sent after commit). A broker that
is down must never undo or block the user's change: the failure is logged with the slice
and the nightly `rollup_all` catches up.
"""

import datetime
import logging

from django.db import transaction

from audits import signals as audit_signals
from cases import signals as case_signals
from feedback import signals as feedback_signals

from .tasks import rollup_slice_task

logger = logging.getLogger(__name__)


def _month_iso(day) -> str | None:
    if day is None:
        return None
    if isinstance(day, str):
        return day[:7]
    return f"{day:%Y-%m}"


def _publish(region_id: int, month_iso: str) -> None:
    try:
        rollup_slice_task.delay(region_id, month_iso)
    except Exception:
        # Deliberately broad: whatever the broker raised, the change is saved and the
        # nightly rebuild will recompute this slice.
        logger.exception("dashboards: could not enqueue the roll-up of region %s, month %s", region_id, month_iso)


def enqueue_slices(slices) -> None:
    """Enqueue each (region_id, month) once, after the current transaction commits."""
    wanted = sorted({(r, _month_iso(m)) for r, m in slices if r is not None and m is not None})
    for region_id, month_iso in wanted:
        transaction.on_commit(lambda r=region_id, m=month_iso: _publish(r, m))


def on_audit_completed(sender, audit, **kwargs):
    enqueue_slices([(audit.region_id, audit.completed_on)])


def on_moderation_completed(sender, audit, **kwargs):
    enqueue_slices([(audit.region_id, audit.completed_on)])


def on_audits_imported(sender, regions_months=(), audit_ids=(), **kwargs):
    enqueue_slices(regions_months)


def on_case_dates_changed(sender, case, old_region_id=None, **kwargs):
    regions = {case.region_id, old_region_id} - {None}
    days = [case.received_on, case.report_due_on]
    enqueue_slices([(r, d) for r in regions for d in days if isinstance(d, datetime.date | str)])


def on_feedback_received(sender, feedback, **kwargs):
    enqueue_slices([(feedback.region_id, feedback.received_on)])


def on_feedback_themes_changed(sender, feedback, **kwargs):
    enqueue_slices([(feedback.region_id, feedback.received_on)])


def on_feedback_imported(sender, regions_months=(), **kwargs):
    enqueue_slices(regions_months)


def connect() -> None:
    audit_signals.audit_completed.connect(on_audit_completed, dispatch_uid="dashboards.audit_completed")
    audit_signals.moderation_completed.connect(on_moderation_completed, dispatch_uid="dashboards.moderation_completed")
    audit_signals.audits_imported.connect(on_audits_imported, dispatch_uid="dashboards.audits_imported")
    case_signals.case_dates_changed.connect(on_case_dates_changed, dispatch_uid="dashboards.case_dates_changed")
    feedback_signals.feedback_received.connect(on_feedback_received, dispatch_uid="dashboards.feedback_received")
    feedback_signals.feedback_imported.connect(on_feedback_imported, dispatch_uid="dashboards.feedback_imported")
    feedback_signals.feedback_themes_changed.connect(
        on_feedback_themes_changed, dispatch_uid="dashboards.feedback_themes_changed"
    )
