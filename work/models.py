"""Mail waiting to go or gone (an outbox written in the same transaction as the work it is about),
and the overdue items already escalated to a service manager."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class MailKind(models.TextChoices):
    ASSIGNED = "assigned", "Work given to you"
    RETURNED = "returned", "Learning action returned"
    DIGEST = "digest", "Daily summary"
    ESCALATION = "escalation", "Overdue work in your region"


class OutgoingMail(models.Model):
    """One mail to one person. Written with the change it reports, so a mail server that is down
    delays it (a Celery retry, then the daily run, send whatever is still unsent) and never
    stands in the way of the change itself."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    to_address = models.EmailField()
    kind = models.CharField(max_length=12, choices=MailKind.choices)
    # What the mail is about, once: "digest:<person>:<day>", "escalation:<person>:<day>". A second
    # daily run on the same day finds the key taken and queues nothing new. Null for mails that
    # report one event (an assignment, a return).
    key = models.CharField(max_length=120, null=True, blank=True, unique=True)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    # A sender claims a mail (conditional UPDATE) before connecting, so two workers never send it twice.
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            # The senders read the unsent few.
            models.Index(fields=["created_at"], condition=Q(sent_at__isnull=True), name="outgoing_mail_unsent_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} to {self.recipient} ({'sent' if self.sent_at else 'waiting'})"


class Escalation(models.Model):
    """An item told to the region's service managers at 10 working days overdue: once per item."""

    kind = models.CharField(max_length=20)  # "audit", "learning_action", "moderation"
    object_id = models.PositiveBigIntegerField()
    region_id = models.BigIntegerField(null=True)
    escalated_on = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="escalation_once_per_item")]

    def __str__(self):
        return f"{self.kind} {self.object_id} escalated on {self.escalated_on}"
