"""Announcements from the cases app: `case_dates_changed` (sender=Case, case=<Case>,
old_region_id=<int|None>) once the transaction that changed a case's KPI dates has committed."""

from django.dispatch import Signal

case_dates_changed = Signal()
