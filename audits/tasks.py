"""Celery tasks: thin wrappers over audit scheduling and moderation sampling (run by beat).

Both services are idempotent (a rerun adds nothing), so the shared retry policy
(organisation/task_policy.py: `acks_late`, retries for connection errors) is safe.
"""

import datetime
import random

from django.conf import settings
from django.utils import timezone

from audits.services.moderation import moderation_draw
from audits.services.scheduling import schedule_audits
from organisation.task_policy import retrying_task


def _seed(day: datetime.date) -> int:
    # The day as the seed: a run repeated on the same day (a retry) draws the same way.
    return int(day.strftime("%Y%m%d"))


@retrying_task("audits.tasks.schedule_audits_task")
def schedule_audits_task(today_iso: str | None = None) -> int:
    """Top every practitioner up to their audits; how many audits were scheduled."""
    today = datetime.date.fromisoformat(today_iso) if today_iso else timezone.localdate()
    report = schedule_audits(today=today, rng=random.Random(_seed(today)))
    return len(report.scheduled)


@retrying_task("audits.tasks.sample_moderation_task")
def sample_moderation_task() -> int:
    """Top the moderation sample up to AUDIT_MODERATION_SHARE of completed audits; how many were drawn."""
    share = getattr(settings, "AUDIT_MODERATION_SHARE", 0.05)
    today = timezone.localdate()
    since = today - datetime.timedelta(days=getattr(settings, "AUDIT_MODERATION_WINDOW_DAYS", 91))
    draw = moderation_draw(share=share, rng=random.Random(_seed(today)), since=since)
    return len(draw.created)
