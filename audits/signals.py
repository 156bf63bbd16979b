"""Announcements from the audits app; other apps listen (audits never imports them).

`audit_completed` is sent with sender=Audit and audit=<Audit> once the transaction that
completed the audit has committed (never on rollback). `moderation_completed` likewise
with audit=<Audit> when a moderation changes the final grade.
"""

from django.dispatch import Signal

audit_completed = Signal()
moderation_completed = Signal()

# Sent once the transaction that imported historic completed audits has committed:
# sender=Audit, audit_ids=[...], regions_months={(region_id, "YYYY-MM"), ...}.
audits_imported = Signal()
