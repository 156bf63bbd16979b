"""Celery tasks: thin wrappers over audit scheduling and moderation sampling (run by beat).

Both services are idempotent (a rerun adds nothing), so `acks_late` is safe: a worker that
dies mid-run leaves the message for another. Retries only for errors that may pass (the
database or broker connection dropping).
"""

import datetime
import random

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerOperationalError

from audits.services.moderation import moderation_draw
from audits.services.scheduling import schedule_audits

RETRY_ON = (OperationalError, InterfaceError, BrokerOperationalError, ConnectionError)


def _seed(day: datetime.date) -> int:
    # The day as the seed: a run repeated on the same day (a retry) draws the same way.
    return int(day.strftime("%Y%m%d"))


@shared_task(
    name="audits.tasks.schedule_audits_task",
    autoretry_for=RETRY_ON,
    retry_backoff=True,
    retry_kwargs={"max_retries": 3},
    acks_late=True,
)
def schedule_audits_task(today_iso: str | None = None) -> int:
    """Top every practitioner up to their audits; how many audits were scheduled."""
    today = datetime.date.fromisoformat(today_iso) if today_iso else timezone.localdate()
    report = schedule_audits(today=today, rng=random.Random(_seed(today)))
    return len(report.scheduled)


@shared_task(
    name="audits.tasks.sample_moderation_task",
    autoretry_for=RETRY_ON,
    retry_backoff=True,
    retry_kwargs={"max_retries": 3},
    acks_late=True,
)
def sample_moderation_task() -> int:
    """Top the moderation sample up to AUDIT_MODERATION_SHARE of completed audits; how many were drawn."""
    share = getattr(settings, "AUDIT_MODERATION_SHARE", 0.05)
    today = timezone.localdate()
    since = today - datetime.timedelta(days=getattr(settings, "AUDIT_MODERATION_WINDOW_DAYS", 91))
    draw = moderation_draw(share=share, rng=random.Random(_seed(today)), since=since)
    return len(draw.created)
