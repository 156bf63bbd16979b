"""Feedback from children, families, judges and professionals, and one-time links to give it."""

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from audits.models import Audit
from cases.models import Case
from organisation.models import Region, Team


class Respondent(models.TextChoices):
    CHILD = "child", "Child or young person"
    PARENT_CARER = "parent_carer", "Parent or carer"
    JUDGE = "judge", "Judge or magistrate"
    PROFESSIONAL = "professional", "Other professional"


class Channel(models.TextChoices):
    ONLINE = "online", "Online link"
    IN_PERSON = "in_person", "In person"
    PHONE = "phone", "Phone"
    VIDEO = "video", "Video call"
    PAPER = "paper", "Paper form"


class Kind(models.TextChoices):
    FEEDBACK = "feedback", "Feedback"
    COMPLIMENT = "compliment", "Compliment"
    COMPLAINT = "complaint", "Complaint"


class ComplaintStage(models.IntegerChoices):
    STAGE_1 = 1, "Stage 1 (local resolution)"
    STAGE_2 = 2, "Stage 2 (review)"


class FeedbackQuerySet(models.QuerySet):
    def for_list(self):
        return self.select_related("case", "region", "team")

    def complaints(self):
        return self.filter(kind=Kind.COMPLAINT)


class Feedback(models.Model):
    respondent = models.CharField(max_length=20, choices=Respondent.choices)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.FEEDBACK)
    anonymous = models.BooleanField(default=False)
    received_on = models.DateField(default=timezone.localdate)
    helpfulness = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="0 (not at all helpful) to 10 (very helpful)"
    )
    worker_helped = models.BooleanField(null=True, blank=True, help_text="Did your worker help you?")
    understood_recommendation = models.BooleanField(
        null=True, blank=True, help_text="Did you understand the recommendation?"
    )
    comments = models.TextField(blank=True)
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="feedback")
    audit = models.ForeignKey(Audit, null=True, blank=True, on_delete=models.SET_NULL, related_name="feedback")
    # Where the feedback counts in the figures: the case's region and team when it was received.
    # The practitioner allocated to the case when the feedback was recorded: they, not whoever
    # holds the case later, read it (organisation.visibility.feedback_q). Empty for anonymous
    # feedback, which is shown against no case and no practitioner.
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Complaints only.
    complaint_stage = models.PositiveSmallIntegerField(choices=ComplaintStage.choices, null=True, blank=True)
    acknowledge_by = models.DateField(null=True, blank=True)
    respond_by = models.DateField(null=True, blank=True)
    acknowledged_on = models.DateField(null=True, blank=True)
    responded_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # For rows from `import_csv feedback`: a digest of the row, so the same file imported
    # twice changes nothing (feedback has no reference of its own).
    import_key = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)

    history = HistoricalRecords()
    objects = FeedbackQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-pk"]
        verbose_name_plural = "feedback"
        indexes = [models.Index(fields=["region", "received_on"], name="feedback_region_received_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(helpfulness__isnull=True) | Q(helpfulness__gte=0, helpfulness__lte=10),
                name="feedback_helpfulness_0_to_10",
            ),
            models.CheckConstraint(
                condition=Q(kind="complaint") | Q(complaint_stage__isnull=True),
                name="feedback_only_complaints_have_a_stage",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} from a {self.get_respondent_display().lower()} ({self.received_on})"

    def clean(self):
        super().clean()
        if self.helpfulness is not None and not 0 <= self.helpfulness <= 10:
            raise ValidationError({"helpfulness": "Helpfulness is a number from 0 to 10."})
        if self.kind != Kind.COMPLAINT and self.complaint_stage:
            raise ValidationError({"complaint_stage": "Only a complaint has a stage."})

    @property
    def complaint_overdue(self) -> bool:
        if self.kind != Kind.COMPLAINT or self.responded_on:
            return False
        return bool(self.respond_by and self.respond_by < timezone.localdate())


def hash_token(token: str) -> str:
    """Links are stored hashed: a leaked database does not leak working links."""
    return hashlib.sha256(token.encode()).hexdigest()


class FeedbackRequest(models.Model):
    """A one-time, expiring, unguessable link for someone with no account."""

    token_hash = models.CharField(max_length=64, unique=True)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="feedback_requests")
    respondent = models.CharField(max_length=20, choices=Respondent.choices)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    feedback = models.OneToOneField(Feedback, null=True, blank=True, on_delete=models.SET_NULL, related_name="request")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Feedback link for {self.case} ({self.get_respondent_display()})"

    @property
    def is_open(self) -> bool:
        return self.used_at is None and self.expires_at > timezone.now()
