"""The "Feedback" section of the case page (registered with cases.sections from AppConfig.ready)."""

from organisation import visibility

from .models import Feedback, FeedbackRequest
from .views import may_record

SHOWN = 20


def feedback_for_case(request, case) -> dict | None:
    """Feedback about this case the viewer may see (anonymous answers never carry the case), and the
    links waiting to be handed over; two queries."""
    user = request.user
    items = list(
        visibility.visible_feedback(user, Feedback.objects.filter(case=case)).order_by("-received_on", "-pk")[
            : SHOWN + 1
        ]
    )
    may_request = may_record(user)
    waiting = list(FeedbackRequest.objects.waiting_to_hand_over().filter(case=case)) if may_request else []
    if not items and not may_request:
        return None
    return {"items": items[:SHOWN], "more": len(items) > SHOWN, "may_request": may_request, "waiting": waiting}
