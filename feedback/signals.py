"""Announcements from the feedback app, each sent once the transaction that saved the rows
has committed:

- `feedback_received` (sender=Feedback, feedback=<Feedback>): one piece of feedback.
- `feedback_imported` (sender=Feedback, regions_months=[(region_id, date), …]): a CSV import,
  naming the (region, month) slices its rows fall in.
- `feedback_themes_changed` (sender=Feedback, feedback=<Feedback>): staff tagged one piece of
  feedback with themes (the theme counts of its region and month received change).
"""

from django.dispatch import Signal

feedback_received = Signal()
feedback_imported = Signal()
feedback_themes_changed = Signal()
