"""Feedback listens to the cases app: a closed case asks its people for feedback."""

from cases import signals as case_signals

from .links import feedback_requests_for_closed_case


def on_case_closed(sender, case, **kwargs):
    feedback_requests_for_closed_case(case=case)


def connect() -> None:
    case_signals.case_closed.connect(on_case_closed, dispatch_uid="feedback.case_closed")
