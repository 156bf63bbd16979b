"""Celery tasks: thin wrappers over the roll-ups, taking ids and ISO months.

Retries only for errors that may pass (the database or broker connection dropping);
`acks_late` so a worker that dies mid-roll-up leaves the message for another, which is
safe because a roll-up recomputes and upserts (same rows whenever it runs).
"""

import datetime

from celery import shared_task
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerOperationalError

from . import rollup

RETRY_ON = (OperationalError, InterfaceError, BrokerOperationalError, ConnectionError)


@shared_task(
    name="dashboards.tasks.rollup_slice_task",
    autoretry_for=RETRY_ON,
    retry_backoff=True,
    retry_backoff_max=300,
    retry_kwargs={"max_retries": 5},
    acks_late=True,
)
def rollup_slice_task(region_id: int, month_iso: str) -> int:
    """Recompute one region's month; month_iso is 'YYYY-MM' or 'YYYY-MM-DD'."""
    month = datetime.date.fromisoformat(month_iso[:7] + "-01")
    return rollup.rollup_slice(region_id=int(region_id), month=month)


@shared_task(
    name="dashboards.tasks.rollup_all",
    autoretry_for=RETRY_ON,
    retry_backoff=True,
    retry_kwargs={"max_retries": 3},
    acks_late=True,
)
def rollup_all() -> int:
    """The nightly rebuild of the KPI and moderation snapshots (CELERY_BEAT_SCHEDULE names this task).

    Criterion snapshots are kept current by the slice roll-ups; this rebuild recomputes them
    only for the region-months whose audit counts it changed, and `rollup_criteria` weekly.
    """
    return rollup.rollup_all(criteria=False)


@shared_task(
    name="dashboards.tasks.rollup_criteria",
    autoretry_for=RETRY_ON,
    retry_backoff=True,
    retry_kwargs={"max_retries": 3},
    acks_late=True,
)
def rollup_criteria() -> int:
    """The weekly rebuild of every criterion snapshot (it reads every judgement)."""
    return rollup.rollup_criteria()
