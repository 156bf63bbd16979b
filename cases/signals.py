"""Announcements from the cases app, each sent once the transaction that saved the case has committed:

- `case_dates_changed` (sender=Case, case=<Case>, old_region_id=<int|None>): a case's KPI dates changed.
- `case_closed` (sender=Case, case=<Case>): a case was given a closed date it did not have before
  (from the admin or an import); feedback listens, to ask the people in it for feedback.
"""

from django.dispatch import Signal

case_dates_changed = Signal()
case_closed = Signal()
