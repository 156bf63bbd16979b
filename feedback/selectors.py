"""Reads that pages (and the work list) share: links waiting to be handed over, complaints due."""

import datetime

from django.db.models import Q
from django.utils import timezone

from organisation import visibility

from .links import hand_over_due_on
from .models import Feedback, FeedbackRequest, Kind


def feedback_requests_to_hand_over(*, practitioner, today: datetime.date | None = None) -> list[FeedbackRequest]:
    """Links made when the practitioner's cases closed that they have not handed over yet, oldest first,
    each with `due_on` (10 working days after the case closed) and `overdue`. One query."""
    today = today or timezone.localdate()
    requests = list(
        FeedbackRequest.objects.waiting_to_hand_over()
        .filter(automatic=True, case__practitioner=practitioner)
        .select_related("case")
        .order_by("created_at", "pk")
    )
    for request in requests:
        request.due_on = hand_over_due_on(request)
        request.overdue = request.due_on < today
    return requests


def complaints_for(user):
    """Complaints this person may handle: service managers their region's, quality admins all."""
    return visibility.visible_complaints(user, Feedback.objects.filter(kind=Kind.COMPLAINT))


def with_next_step(complaint: Feedback, today: datetime.date) -> Feedback:
    """Set `next_step` ("Acknowledge", "Respond" or ""), `due_on` and `overdue` on a complaint."""
    if complaint.acknowledged_on is None:
        complaint.next_step, complaint.due_on = "Acknowledge", complaint.acknowledge_by
    elif complaint.responded_on is None:
        complaint.next_step, complaint.due_on = "Respond", complaint.respond_by
    else:
        complaint.next_step, complaint.due_on = "", None
    complaint.overdue = bool(complaint.due_on and complaint.due_on < today)
    return complaint


def complaints_due_for(*, user, today: datetime.date | None = None) -> list[Feedback]:
    """Open complaints the person may handle that still need acknowledging or a response, soonest
    deadline first, each with `next_step`, `due_on` and `overdue` (for the work list). One query."""
    today = today or timezone.localdate()
    open_q = Q(acknowledged_on__isnull=True) | Q(responded_on__isnull=True)
    rows = complaints_for(user).filter(open_q).select_related("case", "region", "complaint_owner")
    complaints = [with_next_step(c, today) for c in rows]
    complaints.sort(key=lambda c: (c.due_on or datetime.date.max, c.pk))
    return complaints
