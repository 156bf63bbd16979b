"""Mail about work: written to the outbox (OutgoingMail) in the transaction of the change it reports,
then sent through Django's email framework (EMAIL_URL) by a Celery task or the daily run.

Mails carry links and case references only, never a child's details nor an action's free text.
A mail server that is down leaves the mail unsent with the error noted; the task retries and the
daily `send_reminders` sends whatever is still waiting, so nothing is lost and nothing is sent twice
(a sender claims a mail with a conditional UPDATE before it connects).
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from organisation.models import EmailPreference

from .items import WorkItem
from .models import MailKind, OutgoingMail

logger = logging.getLogger(__name__)

# A claim older than this is taken to belong to a sender that died mid-send.
CLAIM_TIMEOUT = datetime.timedelta(minutes=10)
DIGEST_MAX_ITEMS = 50


def absolute(url: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{url}"


def _footer() -> str:
    return (
        f"\nYour work list: {absolute('/my-work/')}\n"
        f"Choose which emails you get: {absolute('/account/')}\n\n"
        f"{settings.SERVICE_NAME}. This email holds no details of any child: sign in to read the records.\n"
    )


def item_lines(items: Iterable[WorkItem], today: datetime.date) -> list[str]:
    lines = []
    for item in items:
        due = f", due {item.due_on:%-d %B %Y}" if item.due_on else ""
        tag = item.tag(today)[0] if item.due_on else ""
        lines.append(f"- {item.title}{due}{f' ({tag})' if tag else ''}\n  {absolute(item.url)}")
    return lines


def compose(person, intro: str, items: list[WorkItem], today: datetime.date, more: int = 0) -> str:
    lines = [f"Dear {person},", "", intro, "", *item_lines(items, today)]
    if more:
        lines.append(f"- and {more} more on your work list")
    return "\n".join(lines) + "\n" + _footer()


def mail_queue(*, recipient, kind: str, subject: str, body: str, key: str | None = None) -> OutgoingMail | None:
    """Put a mail in the outbox (in the caller's transaction); None when the key is already taken,
    or the person has no address."""
    if not recipient.email:
        return None
    fields = {"recipient": recipient, "to_address": recipient.email, "kind": kind, "subject": subject, "body": body}
    if key is None:
        return OutgoingMail.objects.create(**fields)
    # The unique key decides: a second run (or a racing one) finds it taken and queues nothing.
    mail, created = OutgoingMail.objects.get_or_create(key=key, defaults=fields)
    return mail if created else None


def send_soon(mails: list[OutgoingMail]) -> None:
    """After commit, hand each mail to a Celery task. A broker that is down is logged: the daily
    run sends what is still waiting."""
    ids = [m.pk for m in mails if m is not None and m.pk]
    if not ids:
        return

    def enqueue():
        from .tasks import send_mail_task

        for pk in ids:
            try:
                send_mail_task.delay(pk)
            except Exception:  # the broker or, in-process, the mail server: the mail stays queued
                logger.warning("mail %s: could not be handed to a worker now; the daily run will send it", pk)

    transaction.on_commit(enqueue)


class MailNotSent(Exception):
    pass


def _claim(mail_id: int) -> OutgoingMail | None:
    now = timezone.now()
    claimed = (
        OutgoingMail.objects.filter(pk=mail_id, sent_at__isnull=True)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_TIMEOUT))
        .update(claimed_at=now)
    )
    return OutgoingMail.objects.get(pk=mail_id) if claimed == 1 else None


def deliver(mail_id: int, connection=None) -> bool:
    """Send one waiting mail; True when sent (False when someone else has it or it was sent).

    On failure the attempt and error are noted, the claim released, and MailNotSent raised: the
    caller retries later.
    """
    mail = _claim(mail_id)
    if mail is None:
        return False
    message = EmailMessage(
        subject=mail.subject,
        body=mail.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[mail.to_address],
        connection=connection,
    )
    try:
        message.send(fail_silently=False)
    except Exception as error:  # SMTP errors, refused connections, timeouts: all may pass
        OutgoingMail.objects.filter(pk=mail.pk).update(
            claimed_at=None, attempts=mail.attempts + 1, last_error=f"{type(error).__name__}: {error}"[:300]
        )
        raise MailNotSent(str(error)) from error
    OutgoingMail.objects.filter(pk=mail.pk).update(sent_at=timezone.now(), attempts=mail.attempts + 1, last_error="")
    return True


def send_waiting() -> tuple[int, int]:
    """Send every mail still waiting, over one connection; (sent, still waiting). Stops at the first
    failure: a server that refused one mail will refuse the rest."""
    ids = list(
        OutgoingMail.objects.filter(sent_at__isnull=True).order_by("created_at", "pk").values_list("pk", flat=True)
    )
    sent = 0
    if not ids:
        return 0, 0
    try:
        with get_connection(fail_silently=False) as connection:
            for pk in ids:
                if deliver(pk, connection=connection):
                    sent += 1
    except MailNotSent as error:
        logger.warning("mail server refused or unreachable (%s): %s mails stay queued", error, len(ids) - sent)
    except OSError as error:  # opening the connection itself failed
        logger.warning("mail server unreachable (%s): %s mails stay queued", error, len(ids) - sent)
    waiting = OutgoingMail.objects.filter(sent_at__isnull=True).count()
    return sent, waiting


# ---- mails for events ------------------------------------------------------------------------------


def wants_immediate(person) -> bool:
    return person.is_active and bool(person.email) and person.email_preference == EmailPreference.IMMEDIATE


def queue_assigned(by_person: dict[int, list[WorkItem]], what: tuple[str, str]) -> list[OutgoingMail]:
    """One mail per person for the items just given to them (immediate preference only)."""
    people = get_user_model().objects.filter(pk__in=list(by_person))
    today = timezone.localdate()
    mails = []
    for person in people:
        if not wants_immediate(person):
            continue
        items = by_person[person.pk]
        one, many = what
        subject = f"{one} given to you" if len(items) == 1 else f"{len(items)} {many} given to you"
        body = compose(person, f"This work has been given to you ({len(items)}):", items, today)
        mails.append(
            OutgoingMail(recipient=person, to_address=person.email, kind=MailKind.ASSIGNED, subject=subject, body=body)
        )
    # One insert whatever the number of people (the monthly scheduling gives work to many at once).
    return OutgoingMail.objects.bulk_create(mails) if mails else []


def queue_returned(person, item: WorkItem) -> OutgoingMail | None:
    if not wants_immediate(person):
        return None
    body = compose(
        person,
        "Your service manager has returned a learning action to you. Open it to read why and what to do next.",
        [item],
        timezone.localdate(),
    )
    return mail_queue(
        recipient=person, kind=MailKind.RETURNED, subject="A learning action was returned to you", body=body
    )


def group_by(pairs: Iterable[tuple[int, WorkItem]]) -> dict[int, list[WorkItem]]:
    out: dict[int, list[WorkItem]] = defaultdict(list)
    for person_id, item in pairs:
        if person_id is not None:
            out[person_id].append(item)
    return out
