"""Beat job: apply the retention policy weekly (the same code as `apply_retention`)."""

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from .services import retention_apply

logger = logging.getLogger(__name__)


@shared_task(
    name="retention.tasks.apply_retention_task",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    retry_kwargs={"max_retries": 3},
    acks_late=True,  # safe to run twice: a case is anonymised once, a purge deletes nothing twice
)
def apply_retention_task() -> dict[str, int]:
    report = retention_apply(today=timezone.localdate())
    logger.info("retention applied: %s", "; ".join(report.lines()))
    return report.counts
