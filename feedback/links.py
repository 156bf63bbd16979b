"""Getting links to people: requests made when a case closes, handing them over (a link to copy,
a printed letter with a QR code, or an email to an address that is never stored), and reminding
practitioners who have not handed them over within 10 working days."""

import datetime
import logging
import smtplib
from collections import defaultdict

import segno
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from cases.models import Case
from organisation.calendar import add_working_days

from .models import RESPONDENT_FOR_AUDIENCE, Audience, FeedbackRequest, HandOver, QuestionSet
from .services import feedback_request_hand_over

logger = logging.getLogger(__name__)

HAND_OVER_WORKING_DAYS = 10
# A child's age band decides which questions they are asked; under-fives are not asked by link
# (their worker can still make one by hand). 10 to 14 get the young person's questions.
AUDIENCE_FOR_AGE_BAND = {"5-9": Audience.CHILD, "10-14": Audience.YOUNG_PERSON, "15+": Audience.YOUNG_PERSON}
ADULT_AUDIENCES = [Audience.PARENT_CARER, Audience.JUDGE, Audience.PROFESSIONAL]


def feedback_requests_for_closed_case(*, case: Case) -> int:
    """Make the requests a closed case asks for (the audiences whose current question set says so),
    each once however often the case is closed; returns how many were made now."""
    audiences = set(
        QuestionSet.objects.filter(is_current=True, ask_when_case_closes=True).values_list("slug", flat=True)
    )
    wanted = [
        (AUDIENCE_FOR_AGE_BAND[child.age_band], child.label)
        for child in case.children.all()
        if AUDIENCE_FOR_AGE_BAND.get(child.age_band) in audiences
    ]
    wanted += [(audience, "") for audience in ADULT_AUDIENCES if audience in audiences]
    before = FeedbackRequest.objects.filter(case=case, automatic=True).count()
    # The partial unique constraint (case, audience, child_label) makes "once" a database rule:
    # a second close, or the admin and an import racing, adds nothing.
    FeedbackRequest.objects.bulk_create(
        [
            FeedbackRequest(
                case=case,
                audience=audience,
                respondent=RESPONDENT_FOR_AUDIENCE[audience],
                child_label=label,
                automatic=True,
            )
            for audience, label in wanted
        ],
        ignore_conflicts=True,
    )
    return FeedbackRequest.objects.filter(case=case, automatic=True).count() - before


def hand_over_due_on(request: FeedbackRequest) -> datetime.date:
    return add_working_days(timezone.localdate(request.created_at), HAND_OVER_WORKING_DAYS)


def qr_svg(url: str) -> str:
    """The link as an inline SVG QR code (inline, so no image request and nothing for a CSP to block)."""
    qr = segno.make(url, error="m")
    return mark_safe(qr.svg_inline(scale=4, border=4, title="QR code for the feedback link", omitsize=False))


class EmailNotSent(Exception):
    pass


@transaction.atomic
def feedback_request_email(*, request: FeedbackRequest, by, address: str, build_url) -> None:
    """Email the person their link. The address is used for this one message and never stored;
    if the mail server refuses, nothing is changed (the hand-over rolls back)."""
    token = feedback_request_hand_over(request=request, by=by, how=HandOver.EMAIL)
    body = render_to_string("feedback/email/link.txt", {"url": build_url(token), "request": request})
    try:
        send_mail(
            "Tell us how we did",
            body,
            settings.DEFAULT_FROM_EMAIL,
            [address],
            fail_silently=False,
        )
    except (smtplib.SMTPException, OSError) as exc:
        logger.warning("Feedback link email not sent: %s", exc.__class__.__name__)
        raise EmailNotSent(
            "We could not send the email. Check the address, or copy or print the link instead."
        ) from exc


def _overdue_for_reminder(today: datetime.date):
    # Ten working days are at least ten calendar days: narrow in SQL, then count working days exactly.
    cutoff = timezone.make_aware(datetime.datetime.combine(today - datetime.timedelta(days=10), datetime.time.max))
    candidates = (
        FeedbackRequest.objects.waiting_to_hand_over()
        .filter(automatic=True, reminded_at__isnull=True, created_at__lte=cutoff, case__practitioner__isnull=False)
        .select_related("case", "case__practitioner")
    )
    return [r for r in candidates if hand_over_due_on(r) <= today]


def feedback_handover_reminders_send(*, today: datetime.date | None = None) -> int:
    """Email each practitioner once about the links they have not handed over within 10 working days
    of the case closing; returns how many practitioners were reminded."""
    today = today or timezone.localdate()
    by_practitioner = defaultdict(list)
    for request in _overdue_for_reminder(today):
        by_practitioner[request.case.practitioner].append(request)
    sent = 0
    for practitioner, requests in by_practitioner.items():
        if not practitioner.email:
            continue
        body = render_to_string("feedback/email/handover_reminder.txt", {"user": practitioner, "requests": requests})
        send_mail("Feedback links to hand over", body, settings.DEFAULT_FROM_EMAIL, [practitioner.email])
        FeedbackRequest.objects.filter(pk__in=[r.pk for r in requests]).update(reminded_at=timezone.now())
        sent += 1
    return sent
