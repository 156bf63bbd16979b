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
    """The nightly rebuild (CELERY_BEAT_SCHEDULE names this task)."""
    return rollup.rollup_all()
