"""Complaints handled in the app: received → acknowledged (3 working days) → responded (15) with an
outcome, an owner and a learning note; and themes staff tag feedback with."""

from django.db import transaction

from .models import Feedback, Kind
from .signals import feedback_themes_changed


@transaction.atomic
def complaint_update(*, complaint: Feedback, by, **fields) -> Feedback:
    """Record a step of a complaint (the form has checked the dates and that a response has an outcome)."""
    assert complaint.kind == Kind.COMPLAINT
    names = ["acknowledged_on", "responded_on", "outcome", "response", "learning_note", "complaint_owner"]
    for name in names:
        if name in fields:
            setattr(complaint, name, fields[name] if fields[name] is not None else _empty(name))
    complaint._change_reason = f"Complaint updated by {by}"
    complaint.full_clean()
    complaint.save()
    return complaint


def _empty(name: str):
    return "" if name in {"outcome", "response", "learning_note"} else None


@transaction.atomic
def feedback_themes_set(*, feedback: Feedback, themes) -> None:
    feedback.themes.set(themes)
    transaction.on_commit(lambda: feedback_themes_changed.send(sender=Feedback, feedback=feedback))
