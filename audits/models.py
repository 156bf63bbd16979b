"""Audit templates, audits of case files, the judgements in them, moderation and learning actions."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import BooleanField, ExpressionWrapper, F, Q
from django.utils import timezone
from django.utils.formats import date_format
from simple_history.models import HistoricalRecords

from cases.models import Case
from organisation.grades import Grade
from organisation.models import Region, Team
from organisation.visibility import blind_moderation_q

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


class Programme(models.Model):
    """A thematic audit programme: case files drawn by rule, audited on one template.

    The draw (services/programmes.py) is seeded, so a preview and its confirmation give
    the same cases and auditors. Its audits carry `programme`, which keeps them out of the
    routine figures. A re-audit programme names the earlier programme of its theme.
    """

    name = models.CharField(
        max_length=150, unique=True, help_text="Names the programme; a second draw with the same name changes nothing"
    )
    theme = models.CharField(max_length=100, help_text="For example “domestic abuse”; re-audits share the theme")
    template = models.ForeignKey(AuditTemplate, on_delete=models.PROTECT, related_name="programmes")
    regions = models.ManyToManyField(Region, blank=True, related_name="+", help_text="None chosen: national")
    window_start = models.DateField(help_text="Cases open at any time in the window are eligible")
    window_end = models.DateField()
    size = models.PositiveIntegerField(null=True, blank=True, help_text="How many case files to draw")
    share = models.DecimalField(
        max_digits=4, decimal_places=3, null=True, blank=True, help_text="Or a share (0 to 1) of the eligible cases"
    )
    filters = models.JSONField(default=dict, blank=True, help_text="Case facts every drawn case must have")
    seed = models.PositiveIntegerField(default=1)
    due_on = models.DateField(help_text="When the programme's audits are due")
    reaudit_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reaudits",
        help_text="The earlier programme of the same theme this one re-audits",
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the draw was confirmed and its audits created"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(size__isnull=False) & Q(share__isnull=True))
                | (Q(size__isnull=True) & Q(share__isnull=False)),
                name="programme_size_or_share",
            ),
            models.CheckConstraint(
                condition=Q(share__isnull=True) | (Q(share__gt=0) & Q(share__lte=1)), name="programme_share_0_1"
            ),
            models.CheckConstraint(condition=Q(size__isnull=True) | Q(size__gt=0), name="programme_size_positive"),
            models.CheckConstraint(condition=Q(window_end__gte=F("window_start")), name="programme_window_ordered"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class AuditStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    IN_PROGRESS = "in_progress", "In progress"
    SUBMITTED = "submitted", "Submitted"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


# The status groups, each named once (two meanings, two names).
# Being graded: the auditor may still save answers; open and overdue work is counted from these.
GRADING_STATUSES = (AuditStatus.SCHEDULED, AuditStatus.IN_PROGRESS)
# Not finished: still waiting for, under or just past grading (submitted, not yet completed).
# A case with one is not drawn again, and they are an auditor's current load.
UNFINISHED_STATUSES = (*GRADING_STATUSES, AuditStatus.SUBMITTED)
# Graded: the auditor has submitted (and it may be completed); the done lists and the data checks.
GRADED_STATUSES = (AuditStatus.SUBMITTED, AuditStatus.COMPLETED)


class StaleAudit(Exception):
    """Someone else saved the audit after the version this write was based on; nothing was written.

    Raised by the optimistic lock (Audit.save, AuditQuerySet.update_versioned, Audit.lock_version);
    its heading and message are the GOV.UK error summary the grading pages show.
    """

    def __init__(self, audit: "Audit", by=None):
        self.audit = audit
        self.saved_by = audit.last_saved_by
        self.saved_at = audit.last_saved_at
        self.refused = by
        super().__init__(self.message)

    @classmethod
    def of(cls, pk, by=None) -> "StaleAudit":
        """The error for the audit `pk` as it is now (who saved it last, and when)."""
        return cls(Audit.objects.select_related("last_saved_by").get(pk=pk), by)

    @property
    def same_person(self) -> bool:
        """The refused save and the newer one are the same person's (another tab or window)."""
        return self.saved_by is not None and self.refused is not None and self.saved_by.pk == self.refused.pk

    @property
    def heading(self) -> str:
        if self.same_person:
            return "You saved this audit in another tab or window"
        return "Someone else has saved this audit"

    @property
    def message(self) -> str:
        if self.same_person:
            who = "You"  # the same person in another tab or window
        else:
            who = str(self.saved_by) if self.saved_by else "Someone else"
        when = f" at {date_format(timezone.localtime(self.saved_at), 'DATETIME_FORMAT')}" if self.saved_at else ""
        where = " in another tab or window" if who == "You" else ""
        return (
            f"{who} saved this audit{where}{when}, after this page was opened. "
            "These answers have not been saved, so nothing was overwritten."
        )


class AuditQuerySet(models.QuerySet):
    def completed(self):
        return self.filter(status=AuditStatus.COMPLETED)

    def completed_between(self, start, end):
        """Completed with completed_on in [start, end] (both dates inclusive)."""
        return self.completed().filter(completed_on__gte=start, completed_on__lte=end)

    def for_list(self):
        return self.select_related("case", "case__region", "case__team", "auditor", "template")

    def with_grade_hidden(self, user):
        """`grade_hidden`: this person is moderating the audit now, so its grade is not shown to them."""
        return self.annotate(grade_hidden=ExpressionWrapper(blind_moderation_q(user), output_field=BooleanField()))

    # ---- the optimistic lock (Audit.save is the other half) ----------------------------------

    def update(self, **changes):
        """A bulk write bumps the version of every row it changes, so a page opened before it can
        no longer save over it; only Audit.UNVERSIONED_FIELDS (and a caller that sets `version`
        itself) leave it alone. bulk_update() comes through here too."""
        if "version" not in changes and not set(changes) <= Audit.UNVERSIONED_FIELDS:
            changes["version"] = F("version") + 1
        return super().update(**changes)

    def update_versioned(self, expected_version: int, *, by=None, **changes) -> int:
        """UPDATE ... SET version = version + 1 WHERE pk = ... AND version = expected_version.

        For one audit (filter it first): raises StaleAudit, having written nothing, when the row
        has moved on from `expected_version`. Returns the number of rows written (1).
        """
        written = self.filter(version=expected_version).update(version=F("version") + 1, **changes)
        if not written:
            pk = self.values_list("pk", flat=True).first()
            if pk is not None:
                raise StaleAudit.of(pk, by)
        return written


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
    # Set for the audits of a thematic programme: the routine figures leave them out.
    programme = models.ForeignKey(Programme, null=True, blank=True, on_delete=models.PROTECT, related_name="audits")
    practitioner_response = models.TextField(blank=True)
    # When the practitioner last wrote their response: their writes never touch last_saved_*,
    # which name the auditor's and moderator's saves (the grading pages' conflict messages).
    practitioner_responded_at = models.DateTimeField(null=True, blank=True)
    # The auditor (or the region's manager) asks for the practitioner's work to be audited again
    # once this audit's learning actions are signed off; the follow-up points back here.
    follow_up_requested = models.BooleanField(default=False)
    follow_up_of = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="follow_up"
    )
    # Copied from the case when the audit is made (so the lists filter and sort on the audit's
    # own indexed columns), followed while the audit is open when the case is re-allocated, and
    # copied again at completion: history never moves once an audit is completed.
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="audits_of_my_work"
    )
    # Optimistic lock: every write bumps it; a write based on an older number is refused
    # (Audit.save, AuditQuerySet.update/update_versioned: the only places it is read or bumped).
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

    # Written without the version lock: the practitioner's own response to a completed audit (the
    # version and last_saved_* belong to the grading, named in the grading pages' conflict
    # messages), the case's place followed while the audit is open (audits.signals: bumping
    # would refuse the auditor's page for a change they did not make), and the follow-up links.
    UNVERSIONED_FIELDS = frozenset(
        {
            "practitioner_response",
            "practitioner_responded_at",
            "region",
            "region_id",
            "team",
            "team_id",
            "follow_up_requested",
            "follow_up_of",
            "follow_up_of_id",
        }
    )

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [
            # Serves the roll-ups: one slice is (region, month of completed_on).
            models.Index(fields=["region", "completed_on"], name="audit_region_completed_idx"),
            # A slice's roll-up of its completed audits from the index alone (no heap page per audit).
            models.Index(
                fields=["region", "completed_on"],
                include=[
                    "team",
                    "template",
                    "programme",
                    "final_grade",
                    "overall_grade",
                    "moderated_grade",
                    "family_feedback",
                ],
                condition=Q(status="completed"),
                name="audit_completed_rollup_idx",
            ),
            models.Index(fields=["auditor", "status"], name="audit_auditor_status_idx"),
            # The work lists' overdue audits (a region's, or national): the open few by due date.
            models.Index(
                fields=["due_on"], condition=Q(status__in=["scheduled", "in_progress"]), name="audit_open_due_idx"
            ),
            # A region's overdue audits on its managers' work list (rows and the bounded count).
            models.Index(
                fields=["region", "due_on"],
                condition=Q(status__in=["scheduled", "in_progress"]),
                name="audit_open_region_due_idx",
            ),
            # The lists' counts by status, within a region and team (bounded: organisation.paging).
            # The lists' sort order has PostgreSQL-only indexes (due date descending, nulls
            # last): migration audits/0007 (SQLite cannot index NULLS LAST).
            models.Index(fields=["status", "region", "team"], name="audit_status_region_team_idx"),
            # The moderated few (about 5%): the roll-ups read their grade table from this index alone.
            models.Index(
                fields=["region", "completed_on"],
                include=["team", "overall_grade", "moderated_grade", "programme"],
                # Completed ones only, as the roll-ups ask: then they need no heap page per audit.
                condition=Q(moderated_grade__isnull=False, status="completed"),
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

    # ---- the optimistic lock -------------------------------------------------------------

    def save(self, *args, update_fields=None, **kwargs):
        """Saving an existing audit is `UPDATE ... SET ..., version = v + 1 WHERE pk = ... AND
        version = v`, v being the version this copy holds (the one its writer based the change
        on): a copy that is out of date raises StaleAudit and writes nothing (and, as any error
        in a save does, marks the enclosing transaction for rollback: nothing half-saved). A
        save of UNVERSIONED_FIELDS alone leaves the version as it is."""
        unversioned = update_fields is not None and set(update_fields) <= self.UNVERSIONED_FIELDS
        if self._state.adding or unversioned:
            self._expected_version = None
            return super().save(*args, update_fields=update_fields, **kwargs)
        if update_fields is not None:
            update_fields = {*update_fields, "version"}
        self._expected_version = self.version
        self.version += 1
        try:
            super().save(*args, update_fields=update_fields, **kwargs)
        except BaseException:
            self.version = self._expected_version
            raise
        finally:
            self._expected_version = None

    def _do_update(self, base_qs, using, pk_val, values, update_fields, forced_update):
        expected = getattr(self, "_expected_version", None)
        if expected is None:
            return super()._do_update(base_qs, using, pk_val, values, update_fields, forced_update)
        if super()._do_update(base_qs.filter(version=expected), using, pk_val, values, update_fields, forced_update):
            return True
        if base_qs.filter(pk=pk_val).exists():
            raise StaleAudit.of(pk_val, getattr(self, "_history_user", None))
        return False  # the row is gone: Django's own handling (insert, or "did not affect any rows")

    def lock_version(self, expected_version: int, by=None) -> None:
        """Start a write based on `expected_version`: lock the row for this transaction (a second
        writer waits here, then finds the version moved on) and refuse at once, with StaleAudit,
        when it already has. The save that follows checks the version again and bumps it."""
        current = Audit.objects.select_for_update().filter(pk=self.pk).values_list("version", flat=True).first()
        if current != expected_version:
            raise StaleAudit.of(self.pk, by)
        self.version = expected_version

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
        return bool(self.due_on and self.status in GRADING_STATUSES and self.due_on < timezone.localdate())


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


class ModerationJudgement(models.Model):
    """The moderator's own answer to one criterion, given blind; set beside the auditor's afterwards."""

    moderation = models.ForeignKey(Moderation, on_delete=models.CASCADE, related_name="judgements")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    grade = models.PositiveSmallIntegerField(choices=Grade.choices, null=True, blank=True)
    answer = models.BooleanField(null=True, blank=True, help_text="For yes/no criteria")
    note = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["criterion__order"]
        constraints = [
            models.UniqueConstraint(fields=["moderation", "criterion"], name="moderation_judgement_unique"),
        ]

    def __str__(self):
        return f"{self.criterion} — {self.get_grade_display() or self.answer}"


class LearningActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done, awaiting sign-off"
    SIGNED_OFF = "signed_off", "Signed off"
    CANCELLED = "cancelled", "Cancelled"


class LearningAction(models.Model):
    """What the practitioner will do after an audit. Open → done (with a note of what changed) →
    signed off by the region's service manager, or returned with a reason (open again)."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="learning_actions")
    description = models.TextField()
    due_on = models.DateField()
    status = models.CharField(max_length=10, choices=LearningActionStatus.choices, default=LearningActionStatus.OPEN)
    completed_on = models.DateField(null=True, blank=True)
    done_note = models.TextField("What changed", blank=True)
    return_reason = models.TextField(blank=True, help_text="Why the manager returned it (the latest return)")
    returned_at = models.DateTimeField(null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [
            # The work lists: open and done actions by status and due date.
            models.Index(fields=["status", "due_on"], name="learning_action_status_due_idx"),
            # Done, waiting for sign-off: the sign-off lists in their order (oldest "done" first),
            # so a page of them never sorts every action waiting nationally.
            models.Index(fields=["completed_on", "id"], condition=Q(status="done"), name="learning_action_done_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="signed_off") | Q(signed_off_at__isnull=False),
                name="learning_action_signed_off_has_when",
            ),
        ]

    def __str__(self):
        return self.description[:60]

    @property
    def is_open(self) -> bool:
        return self.status == LearningActionStatus.OPEN

    @property
    def was_returned(self) -> bool:
        return self.status == LearningActionStatus.OPEN and self.returned_at is not None


class CalibrationSession(models.Model):
    """Auditors grade the same case file blind, then compare (the seeds' "benchmarking sessions").

    Kept in tables of their own: calibration grades never reach the audits the dashboards count.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="calibration_sessions")
    template = models.ForeignKey(AuditTemplate, on_delete=models.PROTECT, related_name="calibration_sessions")
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", help_text="The region the session counts for"
    )
    held_on = models.DateField()
    facilitator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True, help_text="Closed before everyone had graded")
    agreed_grade = models.PositiveSmallIntegerField(choices=Grade.choices, null=True, blank=True)
    agreed_notes = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-held_on", "pk"]
        indexes = [models.Index(fields=["region", "held_on"], name="calibration_region_held_idx")]

    def __str__(self):
        return f"Calibration of {self.case.reference} on {self.held_on:%Y-%m-%d}"


class CalibrationParticipant(models.Model):
    session = models.ForeignKey(CalibrationSession, on_delete=models.CASCADE, related_name="participants")
    auditor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="calibrations")
    overall_grade = models.PositiveSmallIntegerField(choices=Grade.choices, null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["session", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "auditor"], name="calibration_one_place_each"),
            models.CheckConstraint(
                condition=Q(submitted_at__isnull=True) | Q(overall_grade__isnull=False),
                name="calibration_submitted_has_grade",
            ),
        ]

    def __str__(self):
        return f"{self.auditor} in {self.session}"


class CalibrationJudgement(models.Model):
    participant = models.ForeignKey(CalibrationParticipant, on_delete=models.CASCADE, related_name="judgements")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    grade = models.PositiveSmallIntegerField(choices=Grade.choices, null=True, blank=True)
    answer = models.BooleanField(null=True, blank=True)
    evidence = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["participant", "criterion"], name="calibration_judgement_one_per_criterion")
        ]

    def __str__(self):
        return f"{self.criterion} — {self.get_grade_display() or self.answer}"
