"""Writes with rules for feedback: one-time links, answers through them, and staff-recorded feedback."""

import datetime
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cases.models import Case
from organisation.calendar import add_working_days

from .models import (
    RESPONDENT_FOR_AUDIENCE,
    TEXT_MAX_LENGTH,
    Answer,
    Audience,
    Channel,
    Feedback,
    FeedbackRequest,
    Kind,
    QuestionSet,
    hash_token,
)
from .questions import measures_from_answers
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


def _announce(feedback: Feedback) -> None:
    transaction.on_commit(lambda: feedback_received.send(sender=Feedback, feedback=feedback))


def _place(feedback: Feedback, case: Case | None) -> None:
    """The case's region and team, and (unless the feedback is anonymous) its practitioner now."""
    if case is not None:
        feedback.region_id = case.region_id
        feedback.team_id = case.team_id
    identified = case is not None and feedback.case_id and not feedback.anonymous
    feedback.practitioner_id = case.practitioner_id if identified else None


def set_complaint_deadlines(feedback: Feedback) -> None:
    if feedback.kind == Kind.COMPLAINT:
        feedback.complaint_stage = feedback.complaint_stage or 1
        feedback.acknowledge_by = add_working_days(feedback.received_on, ACKNOWLEDGE_WORKING_DAYS)
        feedback.respond_by = add_working_days(feedback.received_on, RESPOND_WORKING_DAYS)


def _new_token(request: FeedbackRequest, days_valid: int) -> str:
    token = secrets.token_urlsafe(32)
    request.token_hash = hash_token(token)
    request.expires_at = timezone.now() + datetime.timedelta(days=days_valid)
    return token


def feedback_request_create(*, case: Case, audience: str, by, child_label: str = "", days_valid: int = LINK_DAYS_VALID):
    """Make a one-time link now; returns (request, token). The token is shown once and stored only hashed."""
    now = timezone.now()
    request = FeedbackRequest(
        case=case,
        audience=audience,
        respondent=RESPONDENT_FOR_AUDIENCE[Audience(audience)],
        child_label=child_label,
        created_by=by,
        handed_over_at=now,
        handed_over_by=by,
    )
    token = _new_token(request, days_valid)
    request.full_clean()
    request.save()
    return request, token


@transaction.atomic
def feedback_request_hand_over(*, request: FeedbackRequest, by, how: str, days_valid: int = LINK_DAYS_VALID) -> str:
    """Give the person their link: a fresh token (any earlier one for this request stops working,
    so a lost letter can be replaced), shown once. Returns the token."""
    if request.used_at is not None:
        raise LinkUnavailable("This person has already answered: there is nothing more to hand over.")
    token = _new_token(request, days_valid)
    request.handed_over_at = timezone.now()
    request.handed_over_by = by
    request.handed_over_how = how
    request.save(update_fields=["token_hash", "expires_at", "handed_over_at", "handed_over_by", "handed_over_how"])
    return token


def feedback_request_for_token(token: str) -> FeedbackRequest:
    request = FeedbackRequest.objects.select_related("case").filter(token_hash=hash_token(token or "")).first()
    if request is None:
        raise LinkUnavailable("This link is not right. Check you copied all of it, or ask for a new one.")
    if request.used_at is not None:
        raise LinkUnavailable("This link has already been used. Thank you for your feedback.")
    if request.expires_at is None or request.expires_at <= timezone.now():
        raise LinkUnavailable("This link has expired. Ask your family court adviser for a new one.")
    return request


def _save_answers(feedback: Feedback, questions, answers: dict) -> None:
    Answer.objects.bulk_create(
        Answer(feedback=feedback, question=q, value=answers[q.code])
        for q in questions
        if answers.get(q.code) not in (None, "")
    )


def _check_answers(questions, answers: dict) -> None:
    """Refuse an answer that is not one of its question's choices (or free text over the limit)."""
    errors = {}
    for q in questions:
        value = answers.get(q.code)
        if value in (None, ""):
            continue
        if q.choices and value not in dict(q.choices):
            errors[q.code] = "Choose one of the answers shown."
        elif not q.choices and len(value) > TEXT_MAX_LENGTH:
            errors[q.code] = f"Keep this to {TEXT_MAX_LENGTH} characters or fewer."
    if errors:
        raise ValidationError(errors)


def _feedback_from_answers(question_set: QuestionSet, questions, answers: dict, **fields) -> Feedback:
    _check_answers(questions, answers)
    feedback = Feedback(
        question_set=question_set,
        respondent=question_set.respondent,
        **measures_from_answers(questions, answers),
        **fields,
    )
    return feedback


@transaction.atomic
def feedback_submit_via_link(*, token: str, answers: dict, anonymous: bool = False) -> Feedback:
    """Save the answers given through a link (answers by question code, already checked by the form)."""
    request = feedback_request_for_token(token)
    now = timezone.now()
    # Two tabs sending the same link: only the first claim succeeds (a conditional UPDATE).
    claimed = FeedbackRequest.objects.filter(pk=request.pk, used_at=None, expires_at__gt=now).update(used_at=now)
    if claimed != 1:
        raise LinkUnavailable("This link has already been used. Thank you for your feedback.")
    question_set = link_question_set(request)
    questions = list(question_set.questions.all())
    feedback = _feedback_from_answers(
        question_set,
        questions,
        answers,
        channel=Channel.ONLINE,
        kind=Kind.FEEDBACK,
        anonymous=anonymous,
        received_on=timezone.localdate(),
        # Anonymous answers still count for the region and team, but are not shown against the case.
        case=None if anonymous else request.case,
    )
    _place(feedback, request.case)
    feedback.full_clean()
    feedback.save()
    _save_answers(feedback, questions, answers)
    if not anonymous:
        # An anonymous answer is not tied back to its request either: the request names the case.
        FeedbackRequest.objects.filter(pk=request.pk).update(feedback=feedback)
    _announce(feedback)
    return feedback


def link_question_set(request: FeedbackRequest) -> QuestionSet:
    """The questions a link asks: the current version for its audience."""
    return QuestionSet.objects.prefetch_related("questions").get(slug=request.audience, is_current=True)


@transaction.atomic
def feedback_record(*, by, case: Case, question_set: QuestionSet | None = None, answers: dict | None = None, **fields):
    """Staff record feedback received by phone, in person, on paper or by video, about a case:
    with a question set, on the same questions the public answers; without one, the figures directly
    (the CSV import's shape)."""
    if question_set is not None:
        questions = list(question_set.questions.all())
        feedback = _feedback_from_answers(question_set, questions, answers or {}, case=case, recorded_by=by, **fields)
    else:
        feedback = Feedback(case=case, recorded_by=by, **fields)
    _place(feedback, case)
    if feedback.anonymous:
        feedback.case = None  # as through a link: it counts for the region and team, not against the case
    set_complaint_deadlines(feedback)
    feedback.full_clean()
    feedback.save()
    if question_set is not None:
        _save_answers(feedback, questions, answers or {})
    _announce(feedback)
    return feedback
