"""Celery tasks: a thin wrapper over the feedback hand-over reminders (run by beat on working days).

The service reminds each link once (it records `reminded_at`), so a rerun sends nothing new.
Retries only for errors that may pass (the database or broker connection dropping)."""

import datetime
import smtplib

from celery import shared_task
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerOperationalError

from .links import feedback_handover_reminders_send

RETRY_ON = (OperationalError, InterfaceError, BrokerOperationalError, ConnectionError, smtplib.SMTPServerDisconnected)


@shared_task(
    name="feedback.tasks.remind_feedback_handover_task",
    autoretry_for=RETRY_ON,
    retry_backoff=True,
    retry_kwargs={"max_retries": 3},
)
def remind_feedback_handover_task(today_iso: str | None = None) -> int:
    """Remind practitioners of links not handed over within 10 working days; how many were reminded."""
    return feedback_handover_reminders_send(today=datetime.date.fromisoformat(today_iso) if today_iso else None)
