"""Celery tasks: send one mail (retried while the server is down) and the weekday daily run."""

import datetime
import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from .mail import MailNotSent, deliver
from .reminders import send_reminders

logger = logging.getLogger(__name__)


@shared_task(
    name="work.tasks.send_mail_task",
    autoretry_for=(MailNotSent, OperationalError, InterfaceError),
    retry_backoff=60,  # 1, 2, 4 … minutes: a server that is down usually comes back
    # At most 10 minutes apart: a countdown longer than the broker's visibility timeout would
    # have Redis hand the message out twice. Twelve tries span about an hour and a half.
    retry_backoff_max=10 * 60,
    retry_kwargs={"max_retries": 12},
    acks_late=True,
)
def send_mail_task(mail_id: int) -> bool:
    """Send one waiting mail; a mail still unsent after the retries is sent by the daily run."""
    return deliver(mail_id)


@shared_task(name="work.tasks.send_reminders_task", acks_late=True)
def send_reminders_task(today_iso: str | None = None) -> dict:
    today = datetime.date.fromisoformat(today_iso) if today_iso else timezone.localdate()
    report = send_reminders(today=today)
    if report.waiting:
        logger.warning("send_reminders: %s mails still waiting for the mail server", report.waiting)
    return {
        "digests": report.digests,
        "escalations": report.escalations,
        "sent": report.sent,
        "waiting": report.waiting,
    }
