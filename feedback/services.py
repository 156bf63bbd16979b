"""Writes with rules for feedback: one-time links, answers through them, and staff-recorded feedback."""

import datetime
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from cases.kpis import is_working_day
from cases.models import Case

from .models import Feedback, FeedbackRequest, Kind, hash_token
from .signals import feedback_received

LINK_DAYS_VALID = 28
# Our complaints procedure: acknowledge within 3 working days, respond within 15.
ACKNOWLEDGE_WORKING_DAYS = 3
RESPOND_WORKING_DAYS = 15


class LinkUnavailable(Exception):
    """The link is unknown, used or expired; `reason` is said to the person in plain words."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def add_working_days(day: datetime.date, n: int) -> datetime.date:
    """The n-th working day after `day` (weekends and England and Wales bank holidays skipped)."""
    while n > 0:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            n -= 1
    return day


def _announce(feedback: Feedback) -> None:
    transaction.on_commit(lambda: feedback_received.send(sender=Feedback, feedback=feedback))


def _place(feedback: Feedback, case: Case | None) -> None:
    """The case's region and team, and (unless the feedback is anonymous) its practitioner now."""
    if case is not None:
        feedback.region_id = case.region_id
        feedback.team_id = case.team_id
    feedback.practitioner_id = case.practitioner_id if case is not None and feedback.case_id else None


def set_complaint_deadlines(feedback: Feedback) -> None:
    if feedback.kind == Kind.COMPLAINT:
        feedback.complaint_stage = feedback.complaint_stage or 1
        feedback.acknowledge_by = add_working_days(feedback.received_on, ACKNOWLEDGE_WORKING_DAYS)
        feedback.respond_by = add_working_days(feedback.received_on, RESPOND_WORKING_DAYS)


def feedback_request_create(*, case: Case, respondent: str, by, days_valid: int = LINK_DAYS_VALID):
    """Make a one-time link; returns (request, token). The token is shown once and stored only hashed."""
    token = secrets.token_urlsafe(32)
    request = FeedbackRequest(
        token_hash=hash_token(token),
        case=case,
        respondent=respondent,
        created_by=by,
        expires_at=timezone.now() + datetime.timedelta(days=days_valid),
    )
    request.full_clean()
    request.save()
    return request, token


def feedback_request_for_token(token: str) -> FeedbackRequest:
    request = FeedbackRequest.objects.select_related("case").filter(token_hash=hash_token(token or "")).first()
    if request is None:
        raise LinkUnavailable("This link is not right. Check you copied all of it, or ask for a new one.")
    if request.used_at is not None:
        raise LinkUnavailable("This link has already been used. Thank you for your feedback.")
    if request.expires_at <= timezone.now():
        raise LinkUnavailable("This link has expired. Ask your family court adviser for a new one.")
    return request


@dataclass
class Answers:
    helpfulness: int | None
    worker_helped: bool | None
    understood_recommendation: bool | None
    comments: str
    anonymous: bool


@transaction.atomic
def feedback_submit_via_link(*, token: str, answers: Answers) -> Feedback:
    request = feedback_request_for_token(token)
    now = timezone.now()
    # Two tabs sending the same link: only the first claim succeeds (a conditional UPDATE).
    claimed = FeedbackRequest.objects.filter(pk=request.pk, used_at=None, expires_at__gt=now).update(used_at=now)
    if claimed != 1:
        raise LinkUnavailable("This link has already been used. Thank you for your feedback.")
    feedback = Feedback(
        respondent=request.respondent,
        channel="online",
        kind=Kind.FEEDBACK,
        anonymous=answers.anonymous,
        received_on=timezone.localdate(),
        helpfulness=answers.helpfulness,
        worker_helped=answers.worker_helped,
        understood_recommendation=answers.understood_recommendation,
        comments=answers.comments,
        # Anonymous answers still count for the region and team, but are not shown against the case.
        case=None if answers.anonymous else request.case,
    )
    _place(feedback, request.case)
    feedback.full_clean()
    feedback.save()
    FeedbackRequest.objects.filter(pk=request.pk).update(feedback=feedback)
    _announce(feedback)
    return feedback


@transaction.atomic
def feedback_record(*, by, case: Case, **fields) -> Feedback:
    """Staff record feedback received by phone, in person, on paper or by video, about a case."""
    feedback = Feedback(case=case, recorded_by=by, **fields)
    _place(feedback, case)
    set_complaint_deadlines(feedback)
    feedback.full_clean()
    feedback.save()
    _announce(feedback)
    return feedback
