"""The retry policy the project's Celery tasks share, declared once.

Retries only for errors that may pass (the database or broker connection dropping), with a
backoff; `acks_late` so a worker that dies mid-run leaves the message for another, which is
safe because every task using this recomputes or tops up (a rerun adds nothing new).
"""

from celery import shared_task
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerOperationalError

RETRY_ON = (OperationalError, InterfaceError, BrokerOperationalError, ConnectionError)


def retrying_task(name: str, *, max_retries: int = 3, **options):
    """`shared_task` with the policy above; `options` add to it (retry_backoff_max, …)."""
    return shared_task(
        name=name,
        autoretry_for=RETRY_ON,
        retry_backoff=True,
        retry_kwargs={"max_retries": max_retries},
        acks_late=True,
        **options,
    )
