"""Announcements from the feedback app: `feedback_received` (sender=Feedback, feedback=<Feedback>)
once the transaction that saved it has committed."""

from django.dispatch import Signal

feedback_received = Signal()
