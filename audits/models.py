"""Audit templates, audits of case files, the judgements in them, moderation and learning actions."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from cases.models import Case
from organisation.grades import Grade
from organisation.models import Region, Team

__all__ = ["Grade"]  # re-exported: audits.models.Grade is the usual import


class AuditTemplate(models.Model):
    """One version of an audit template; editing a template in use makes a new version."""

    slug = models.SlugField(max_length=50)
    version = models.PositiveIntegerField(default=1)
    name = models.CharField(max_length=150)
    description = models.TextField(blank=True)
    is_current = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["slug", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "version"], name="template_slug_version_unique"),
            models.UniqueConstraint(fields=["slug"], condition=Q(is_current=True), name="template_one_current_version"),
        ]

    def __str__(self):
        return f"{self.name} (version {self.version})"


class CriterionKind(models.TextChoices):
    GRADED = "graded", "Graded"
    YES_NO = "yes_no", "Yes or no"


class AppliesTo(models.TextChoices):
    BOTH = "both", "Public and private law"
    PUBLIC = "public", "Public law"
    PRIVATE = "private", "Private law"


class Criterion(models.Model):
    template = models.ForeignKey(AuditTemplate, on_delete=models.CASCADE, related_name="criteria")
    code = models.SlugField(
        max_length=60, help_text="Stable across template versions, so figures can follow a criterion over time"
    )
    section = models.CharField(max_length=150)
    order = models.PositiveIntegerField()
    text = models.CharField(max_length=300)
    guidance = models.TextField(blank=True)
    kind = models.CharField(max_length=10, choices=CriterionKind.choices, default=CriterionKind.GRADED)
    limiting = models.BooleanField(
        default=False, help_text="Graded Requires improvement, this criterion caps the overall grade"
    )
    applies_to = models.CharField(max_length=10, choices=AppliesTo.choices, default=AppliesTo.BOTH)

    class Meta:
        ordering = ["template", "order"]
        verbose_name_plural = "criteria"
        constraints = [
            models.UniqueConstraint(fields=["template", "code"], name="criterion_code_unique_in_template"),
            models.UniqueConstraint(fields=["template", "order"], name="criterion_order_unique_in_template"),
            models.CheckConstraint(
                condition=Q(limiting=False) | Q(kind="graded"), name="criterion_only_graded_can_limit"
            ),
        ]

    def __str__(self):
        return self.text


class AuditStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    IN_PROGRESS = "in_progress", "In progress"
    SUBMITTED = "submitted", "Submitted"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


class AuditQuerySet(models.QuerySet):
    def completed(self):
        return self.filter(status=AuditStatus.COMPLETED)

    def completed_between(self, start, end):
        """Completed with completed_on in [start, end] (both dates inclusive)."""
        return self.completed().filter(completed_on__gte=start, completed_on__lte=end)

    def for_list(self):
        return self.select_related("case", "case__region", "case__team", "auditor", "template")


class Audit(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="audits")
    template = models.ForeignKey(AuditTemplate, on_delete=models.PROTECT, related_name="audits")
    auditor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="audits_to_do")
    status = models.CharField(max_length=12, choices=AuditStatus.choices, default=AuditStatus.SCHEDULED)
    due_on = models.DateField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_on = models.DateField(null=True, blank=True, help_text="The date the audit counts in the figures")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    suggested_grade = models.PositiveSmallIntegerField(choices=Grade.choices, null=True, blank=True)
    overall_grade = models.PositiveSmallIntegerField(choices=Grade.choices, null=True, blank=True)
    rationale = models.TextField(blank=True, help_text="Required where the overall grade differs from the suggestion")
    # The grade the figures count: the moderated grade where a moderation is complete,
    # otherwise the auditor's overall grade. Kept on the row so roll-ups need no join.
    final_grade = models.PositiveSmallIntegerField(choices=Grade.choices, null=True, blank=True)
    # The moderator's grade, copied when the moderation completes (set only then): the roll-ups
    # count moderated audits and the auditor × moderator table from the audit row alone.
    moderated_grade = models.PositiveSmallIntegerField(choices=Grade.choices, null=True, blank=True, editable=False)
    family_feedback = models.BooleanField(default=False, help_text="Family feedback informed this audit")
    practitioner_response = models.TextField(blank=True)
    # Copied from the case when the audit is made (so the lists filter and sort on the audit's
    # own indexed columns), followed while the audit is open when the case is re-allocated, and
    # copied again at completion: history never moves once an audit is completed.
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="audits_of_my_work"
    )
    # Optimistic lock: every save bumps it; a save carrying an older number is refused.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Who saved last and when: named in the message a conflicting second save receives.
    last_saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_saved_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()
    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [
            # Serves the roll-ups: one slice is (region, month of completed_on).
            models.Index(fields=["region", "completed_on"], name="audit_region_completed_idx"),
            models.Index(fields=["auditor", "status"], name="audit_auditor_status_idx"),
            # The lists' counts by status, within a region and team (bounded: organisation.paging).
            # The lists' sort order has PostgreSQL-only indexes (due date descending, nulls
            # last): migration audits/0007 (SQLite cannot index NULLS LAST).
            models.Index(fields=["status", "region", "team"], name="audit_status_region_team_idx"),
            # The moderated few (about 5%): the roll-ups read their grade table from this index alone.
            models.Index(
                fields=["region", "completed_on"],
                include=["team", "overall_grade", "moderated_grade"],
                condition=Q(moderated_grade__isnull=False),
                name="audit_moderated_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="completed")
                | (
                    Q(completed_on__isnull=False)
                    & Q(overall_grade__isnull=False)
                    & Q(final_grade__isnull=False)
                    & Q(region__isnull=False)
                    & Q(team__isnull=False)
                ),
                name="audit_completed_has_grade_date_and_place",
            ),
        ]

    def __str__(self):
        return f"Audit of {self.case.reference}"

    def copy_from_case(self, case: Case | None = None) -> None:
        """Record the case's region, team and practitioner on the audit (no query: pass the case)."""
        case = case or self.case
        self.region_id = case.region_id
        self.team_id = case.team_id
        self.practitioner_id = case.practitioner_id

    def clean(self):
        super().clean()
        # Nobody audits their own work: the auditor may not be the case's allocated practitioner.
        if self.auditor_id and self.case_id and self.case.practitioner_id == self.auditor_id:
            raise ValidationError(
                {"auditor": "The auditor is allocated to this case: nobody may audit a case they are allocated to."}
            )

    @property
    def is_overdue(self) -> bool:
        open_statuses = {AuditStatus.SCHEDULED, AuditStatus.IN_PROGRESS}
        return bool(self.due_on and self.status in open_statuses and self.due_on < timezone.localdate())


class Judgement(models.Model):
    # No index of its own: the unique (audit, criterion) constraint and the covering index lead with it.
    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="judgements", db_index=False)
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="judgements")
    grade = models.PositiveSmallIntegerField(choices=Grade.choices, null=True, blank=True)
    answer = models.BooleanField(null=True, blank=True, help_text="For yes/no criteria")
    evidence = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["criterion__order"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "criterion"], name="judgement_unique_per_criterion"),
        ]
        indexes = [
            # The roll-up of criteria reads (criterion, grade) of an audit's judgements from the
            # index alone on PostgreSQL (SQLite ignores `include`: a plain index on audit there).
            models.Index(fields=["audit"], include=["criterion", "grade"], name="judgement_audit_cover_idx"),
        ]

    def __str__(self):
        return f"{self.criterion} — {self.get_grade_display() or self.answer}"


class Moderation(models.Model):
    """A second, blind grading of a sampled audit; once complete its grade is final."""

    audit = models.OneToOneField(Audit, on_delete=models.CASCADE, related_name="moderation")
    moderator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="moderations")
    grade = models.PositiveSmallIntegerField(choices=Grade.choices, null=True, blank=True)
    notes = models.TextField(blank=True)
    sampled_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    def __str__(self):
        return f"Moderation of {self.audit}"


class LearningActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class LearningAction(models.Model):
    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="learning_actions")
    description = models.TextField()
    due_on = models.DateField()
    status = models.CharField(max_length=10, choices=LearningActionStatus.choices, default=LearningActionStatus.OPEN)
    completed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self):
        return self.description[:60]
