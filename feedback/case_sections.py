"""The "Feedback" section of the case page (registered with cases.sections from AppConfig.ready)."""

from organisation import visibility

from .models import Feedback, FeedbackRequest
from .views import may_record

SHOWN = 20


def feedback_for_case(request, case) -> dict | None:
    """Feedback about this case the viewer may see (anonymous answers never carry the case), and the
    links not answered yet; two queries."""
    user = request.user
    items = list(
        visibility.visible_feedback(user, Feedback.objects.filter(case=case)).order_by("-received_on", "-pk")[
            : SHOWN + 1
        ]
    )
    may_request = may_record(user)
    # Links not answered yet: to hand over, or to hand over again (a new link replaces a lost letter).
    waiting = (
        list(FeedbackRequest.objects.filter(case=case, used_at__isnull=True).order_by("pk")) if may_request else []
    )
    if not items and not may_request:
        return None
    return {"items": items[:SHOWN], "more": len(items) > SHOWN, "may_request": may_request, "waiting": waiting}
