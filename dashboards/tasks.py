"""Celery tasks: thin wrappers over the roll-ups, taking ids and ISO months.

Retries only for errors that may pass (the database or broker connection dropping);
`acks_late` so a worker that dies mid-roll-up leaves the message for another, which is
safe because a roll-up recomputes and upserts (same rows whenever it runs).
"""

import datetime

from organisation.task_policy import retrying_task

from . import rollup


@retrying_task("dashboards.tasks.rollup_slice_task", max_retries=5, retry_backoff_max=300)
def rollup_slice_task(region_id: int, month_iso: str) -> int:
    """Recompute one region's month; month_iso is 'YYYY-MM' or 'YYYY-MM-DD'.

    The KPI group here (milliseconds), then its details (judgements, children) as a task of their
    own, queued behind it: the headline figures never wait for the slower details.
    """
    month = datetime.date.fromisoformat(month_iso[:7] + "-01")
    rows = rollup.rollup_slice(region_id=int(region_id), month=month, details=False)
    rollup_details_task.delay(int(region_id), f"{month:%Y-%m}")
    return rows


@retrying_task("dashboards.tasks.rollup_details_task", max_retries=5, retry_backoff_max=300)
def rollup_details_task(region_id: int, month_iso: str) -> int:
    """Recompute one region's month's criterion, practitioner and characteristic snapshots."""
    month = datetime.date.fromisoformat(month_iso[:7] + "-01")
    return rollup.rollup_slice_details(region_id=int(region_id), month=month)


@retrying_task("dashboards.tasks.rollup_all")
def rollup_all() -> int:
    """The nightly rebuild of the KPI group (CELERY_BEAT_SCHEDULE names this task): KPI, template,
    moderation, feedback and theme snapshots.

    The details (criterion, practitioner and characteristic snapshots) are kept current by the
    slice roll-ups; this rebuild recomputes them only for the region-months whose audit counts it
    changed, and `rollup_criteria` weekly.
    """
    return rollup.rollup_all(criteria=False)


@retrying_task("dashboards.tasks.rollup_criteria")
def rollup_criteria() -> int:
    """The weekly rebuild of every detail snapshot (it reads every judgement)."""
    return rollup.rollup_criteria()
