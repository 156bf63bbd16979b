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
    """Recompute one region's month; month_iso is 'YYYY-MM' or 'YYYY-MM-DD'."""
    month = datetime.date.fromisoformat(month_iso[:7] + "-01")
    return rollup.rollup_slice(region_id=int(region_id), month=month)


@retrying_task("dashboards.tasks.rollup_all")
def rollup_all() -> int:
    """The nightly rebuild of the KPI and moderation snapshots (CELERY_BEAT_SCHEDULE names this task).

    Criterion snapshots are kept current by the slice roll-ups; this rebuild recomputes them
    only for the region-months whose audit counts it changed, and `rollup_criteria` weekly.
    """
    return rollup.rollup_all(criteria=False)


@retrying_task("dashboards.tasks.rollup_criteria")
def rollup_criteria() -> int:
    """The weekly rebuild of every criterion snapshot (it reads every judgement)."""
    return rollup.rollup_criteria()
