"""KPI snapshots: counts per (region, team, month), filled only by the roll-ups.

Pages and the API read these rows and nothing else; every percentage is a sum of
numerators over a sum of denominators across rows, never an average of percentages.
"""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from organisation.grades import Grade
from organisation.models import Region, Team


class KpiSnapshot(models.Model):
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="The first day of the month")

    # Audits completed in the month (by completed_on), by final grade.
    audits = models.PositiveIntegerField(default=0)
    outstanding = models.PositiveIntegerField(default=0)
    good = models.PositiveIntegerField(default=0)
    meets_standard = models.PositiveIntegerField(default=0)
    requires_improvement = models.PositiveIntegerField(default=0)
    family_feedback = models.PositiveIntegerField(default=0, help_text="Audits informed by family feedback")
    moderated = models.PositiveIntegerField(default=0)
    moderated_agree = models.PositiveIntegerField(default=0, help_text="Moderated grade equal to the auditor's")

    # Feedback received in the month.
    feedback_count = models.PositiveIntegerField(default=0)
    feedback_helpfulness_count = models.PositiveIntegerField(default=0)
    feedback_helpfulness_sum = models.PositiveIntegerField(default=0)
    feedback_worker_helped_count = models.PositiveIntegerField(default=0)
    feedback_worker_helped_yes = models.PositiveIntegerField(default=0)

    # Case KPIs: care and private law cases received in the month; s7 reports due in it.
    care_received = models.PositiveIntegerField(default=0)
    care_allocated = models.PositiveIntegerField(default=0)
    care_working_days_sum = models.PositiveIntegerField(default=0, help_text="Over allocated care cases")
    private_received = models.PositiveIntegerField(default=0)
    private_allocated = models.PositiveIntegerField(default=0)
    s7_due = models.PositiveIntegerField(default=0)
    s7_on_time = models.PositiveIntegerField(default=0)
    # Cases received in the month with domestic abuse alleged, and of those substantiated.
    da_alleged = models.PositiveIntegerField(default=0)
    da_substantiated = models.PositiveIntegerField(default=0)

    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["month", "region", "team"]
        constraints = [
            models.UniqueConstraint(fields=["region", "team", "month"], name="kpi_snapshot_one_per_slice"),
        ]
        indexes = [models.Index(fields=["month", "region"], name="kpi_snapshot_month_region_idx")]

    def __str__(self):
        return f"{self.region} / {self.team} / {self.month:%Y-%m}"


class CriterionSnapshot(models.Model):
    """Judgements per criterion code in a slice: feeds "criteria most often graded below Good".

    Keyed by the criterion's stable code, so figures follow a criterion across template versions;
    the text (of one version in the slice; the roll-up takes the greatest, so reruns agree) is
    kept here so pages never read the audit tables.
    """

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="The first day of the month")
    criterion_code = models.SlugField(max_length=60)
    criterion_text = models.CharField(max_length=300, blank=True)
    graded = models.PositiveIntegerField(default=0)
    below_good = models.PositiveIntegerField(default=0, help_text="Graded Meets standard or Requires improvement")
    requires_improvement = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["month", "region", "team", "criterion_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "team", "month", "criterion_code"], name="criterion_snapshot_one_per_slice"
            ),
        ]
        indexes = [models.Index(fields=["month", "region"], name="criterion_snap_month_reg_idx")]

    def __str__(self):
        return f"{self.criterion_code} / {self.team} / {self.month:%Y-%m}"


class TemplateSnapshot(models.Model):
    """Completed audits per slice by template slug and programme, for the `template=` and
    `programme=` filters of the dashboards and the API.

    KpiSnapshot counts routine audits only (no programme): thematic programmes would
    otherwise move the headline figures by the cases they chose. `programme_key` is the
    programme's id, 0 for routine audits (a number, so the natural key has no NULL in it).
    """

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="The first day of the month")
    template_slug = models.SlugField(max_length=50)
    programme_key = models.PositiveIntegerField(default=0, help_text="The programme's id; 0 for routine audits")
    audits = models.PositiveIntegerField(default=0)
    outstanding = models.PositiveIntegerField(default=0)
    good = models.PositiveIntegerField(default=0)
    meets_standard = models.PositiveIntegerField(default=0)
    requires_improvement = models.PositiveIntegerField(default=0)
    family_feedback = models.PositiveIntegerField(default=0)
    # The KPI rows' audit counts are these rows' routine ones (programme 0), summed.
    moderated = models.PositiveIntegerField(default=0)
    moderated_agree = models.PositiveIntegerField(default=0, help_text="Moderated grade equal to the auditor's")
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["month", "region", "team", "template_slug", "programme_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "team", "month", "template_slug", "programme_key"],
                name="template_snapshot_one_per_slice",
            ),
        ]
        indexes = [models.Index(fields=["month", "region"], name="template_snap_month_reg_idx")]

    def __str__(self):
        return f"{self.template_slug} / {self.programme_key} / {self.team} / {self.month:%Y-%m}"


class ModerationSnapshot(models.Model):
    """One cell of the 4×4 table (auditor's grade × moderator's grade) per slice, for Cohen's kappa."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="The first day of the month")
    auditor_grade = models.PositiveSmallIntegerField(choices=Grade.choices)
    moderator_grade = models.PositiveSmallIntegerField(choices=Grade.choices)
    count = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["month", "region", "team", "auditor_grade", "moderator_grade"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "team", "month", "auditor_grade", "moderator_grade"],
                name="moderation_snapshot_one_per_cell",
            ),
        ]
        indexes = [models.Index(fields=["month", "region"], name="moderation_snap_month_reg_idx")]

    def __str__(self):
        return f"{self.team} / {self.month:%Y-%m}: {self.auditor_grade}→{self.moderator_grade}"


class RollupRun(models.Model):
    """One finished roll-up. "Figures as of" is the newest of these: a run that finds every row
    unchanged leaves the rows' own `computed_at` alone (nothing is rewritten) but still vouches
    that the figures were checked against the source rows at that time."""

    class Kind(models.TextChoices):
        FULL = "full", "Full rebuild"
        SLICE = "slice", "One region and month"
        CRITERIA = "criteria", "Criteria rebuild"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(null=True, blank=True)
    kpi_rows = models.PositiveIntegerField(default=0, help_text="KPI rows in the run's scope")
    finished_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-finished_at"]
        indexes = [models.Index(fields=["finished_at"], name="rollup_run_finished_idx")]

    def __str__(self):
        scope = f" {self.region} {self.month:%Y-%m}" if self.region_id and self.month else ""
        return f"{self.get_kind_display()}{scope} at {self.finished_at:%Y-%m-%d %H:%M}"


class ApiToken(models.Model):
    """A key for scripts calling the JSON API as a person; only its SHA-256 is stored.

    The key is shown once, when a quality admin creates the token in the admin.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, such as 'board pack script'")
    prefix = models.CharField(max_length=8, editable=False, help_text="The key's first characters, to recognise it")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API token"

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    def set_new_key(self) -> str:
        """Give this token a fresh random key; returns the key (the only time it is readable)."""
        key = secrets.token_urlsafe(32)
        self.prefix = key[:8]
        self.key_hash = self.hash_key(key)
        return key


class CriterionResultSnapshot(models.Model):
    """Judgements per (template, criterion code) in a slice, graded and yes/no alike.

    Feeds the criteria API and the "% yes" figures the seeds report (children seen, case plan
    reviewed by a manager, ...). Kept apart from CriterionSnapshot (graded only, no template),
    so the hot paths that fill that table are untouched. `graded`/`good_or_better` count graded
    judgements, `answered`/`yes` yes/no ones; the other pair is zero for a criterion's kind.
    """

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="The first day of the month")
    template_slug = models.SlugField(max_length=50)
    criterion_code = models.SlugField(max_length=60)
    kind = models.CharField(max_length=10, help_text="graded or yes_no")
    criterion_text = models.CharField(max_length=300, blank=True)
    graded = models.PositiveIntegerField(default=0)
    good_or_better = models.PositiveIntegerField(default=0)
    meets_or_better = models.PositiveIntegerField(default=0, help_text="Graded above Requires improvement")
    answered = models.PositiveIntegerField(default=0)
    yes = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["month", "region", "team", "template_slug", "criterion_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "team", "month", "template_slug", "criterion_code"],
                name="criterion_result_one_per_slice",
            ),
        ]
        indexes = [models.Index(fields=["month", "region"], name="criterion_res_month_reg_idx")]

    def __str__(self):
        return f"{self.template_slug}/{self.criterion_code} / {self.team} / {self.month:%Y-%m}"


class FeedbackSnapshot(models.Model):
    """Feedback received in a slice, by respondent type (child, parent or carer, judge, professional)."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="The first day of the month")
    respondent = models.CharField(max_length=20)
    count = models.PositiveIntegerField(default=0)
    helpfulness_count = models.PositiveIntegerField(default=0)
    helpfulness_sum = models.PositiveIntegerField(default=0)
    worker_helped_count = models.PositiveIntegerField(default=0)
    worker_helped_yes = models.PositiveIntegerField(default=0)
    understood_count = models.PositiveIntegerField(default=0)
    understood_yes = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["month", "region", "team", "respondent"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "team", "month", "respondent"], name="feedback_snapshot_one_per_slice"
            ),
        ]
        indexes = [models.Index(fields=["month", "region"], name="feedback_snap_month_reg_idx")]

    def __str__(self):
        return f"{self.respondent} / {self.team} / {self.month:%Y-%m}"


class PractitionerSnapshot(models.Model):
    """Completed audits of one practitioner's work in a slice: feeds practitioner compliance."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="The first day of the month")
    practitioner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    audits = models.PositiveIntegerField(default=0)
    good_or_better = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["month", "region", "team", "practitioner"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "team", "month", "practitioner"], name="practitioner_snapshot_one_per_slice"
            ),
        ]
        indexes = [
            models.Index(fields=["month", "region"], name="practitioner_snap_mon_reg_idx"),
            models.Index(fields=["practitioner", "month"], name="practitioner_snap_prac_idx"),
        ]

    def __str__(self):
        return f"{self.practitioner_id} / {self.team} / {self.month:%Y-%m}"


class CharacteristicSnapshot(models.Model):
    """Completed audits by a characteristic of the case's children (ethnicity, disability, age band,
    gender): an audit counts once under each distinct value among its case's children."""

    class Characteristic(models.TextChoices):
        ETHNICITY = "ethnicity", "Ethnicity"
        DISABILITY = "disability", "Disability"
        AGE_BAND = "age_band", "Age band"
        GENDER = "gender", "Gender identity"

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="The first day of the month")
    characteristic = models.CharField(max_length=20, choices=Characteristic.choices)
    value = models.CharField(max_length=60, help_text="As recorded; empty = not recorded")
    audits = models.PositiveIntegerField(default=0)
    good_or_better = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["month", "region", "team", "characteristic", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "team", "month", "characteristic", "value"],
                name="characteristic_snapshot_one_per_slice",
            ),
        ]
        indexes = [models.Index(fields=["month", "region"], name="characteristic_snap_mon_idx")]

    def __str__(self):
        return f"{self.characteristic}={self.value} / {self.team} / {self.month:%Y-%m}"


class ThemeSnapshot(models.Model):
    """Feedback received in a slice tagged with one theme (feedback with two themes counts under each).
    The theme's name is copied here so the pages read this table alone."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="The first day of the month")
    theme = models.ForeignKey("feedback.Theme", on_delete=models.CASCADE, related_name="+")
    theme_name = models.CharField(max_length=100)
    count = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["month", "region", "team", "theme_name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "team", "month", "theme"], name="theme_snapshot_one_per_slice"),
        ]
        indexes = [models.Index(fields=["month", "region"], name="theme_snap_month_reg_idx")]

    def __str__(self):
        return f"{self.theme_name} / {self.team} / {self.month:%Y-%m}"
