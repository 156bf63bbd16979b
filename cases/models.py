"""The caseload: cases before the family court and the children in them (pseudonymous)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from organisation.calendar import working_days_between
from organisation.grades import Grade
from organisation.models import Region, Team


class LawType(models.TextChoices):
    PUBLIC = "public", "Public law"
    PRIVATE = "private", "Private law"


class ApplicationType(models.TextChoices):
    S31_CARE = "s31_care", "Section 31 care or supervision"
    SECTION_7 = "section_7", "Section 7 report"
    RULE_16_4 = "rule_16_4", "Rule 16.4 appointment"
    SPECIAL_GUARDIANSHIP = "special_guardianship", "Special guardianship"
    ADOPTION = "adoption", "Adoption"
    CHILD_ARRANGEMENTS = "child_arrangements", "Child arrangements"
    OTHER = "other", "Other"


# A case reference goes into page addresses (/cases/<reference>/) and file names: letters,
# digits, hyphens, underscores and full stops only, starting with a letter or a digit.
REFERENCE_RULE = (
    "letters, digits, hyphens (-), underscores (_) and full stops (.) only, starting with a letter or digit"
)
validate_reference = RegexValidator(
    r"\A[A-Za-z0-9][A-Za-z0-9._-]*\Z",
    message=f"a case reference may contain {REFERENCE_RULE}",
    code="invalid_reference",
)


class CaseQuerySet(models.QuerySet):
    def open(self):
        return self.filter(closed_on__isnull=True)

    def for_list(self):
        return self.select_related("region", "team", "practitioner")


class Case(models.Model):
    reference = models.CharField(max_length=30, unique=True, validators=[validate_reference])
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="cases")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="cases")
    law_type = models.CharField(max_length=10, choices=LawType.choices)
    application_type = models.CharField(max_length=30, choices=ApplicationType.choices)
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="allocated_cases",
        help_text="The family court adviser allocated to the case",
    )
    domestic_abuse_alleged = models.BooleanField(default=False)
    domestic_abuse_substantiated = models.BooleanField(
        default=False, help_text="Domestic abuse found to have happened (by the court or on the evidence)"
    )
    received_on = models.DateField()
    allocated_on = models.DateField(null=True, blank=True)
    report_due_on = models.DateField(null=True, blank=True)
    report_filed_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    # Working days from received to allocated (weekends and England and Wales bank holidays
    # excluded), worked out by save() from the two dates, so the roll-ups sum a column.
    allocation_working_days = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    # Kept up to date by the audits app when an audit of this case completes (or is
    # moderated), so the case list shows it without reading the audit tables.
    last_audit_grade = models.PositiveSmallIntegerField(choices=Grade.choices, null=True, blank=True)
    last_audited_on = models.DateField(null=True, blank=True)
    # Set by `apply_retention` when the case, closed longer than RETENTION_YEARS, had its
    # children's details and free text cleared (grades, counts and dates stay for the KPIs).
    anonymised_on = models.DateField(null=True, blank=True, editable=False)

    history = HistoricalRecords()
    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "reference"]
        indexes = [
            models.Index(fields=["region", "received_on"]),
            models.Index(fields=["region", "report_due_on"]),
            # Section 7 reports by month due (operational KPI 4): the roll-ups read them from this
            # index alone instead of scanning every case.
            models.Index(
                fields=["report_due_on"],
                include=["region", "team", "report_filed_on"],
                condition=Q(application_type="section_7", report_due_on__isnull=False),
                name="case_s7_due_idx",
            ),
            # The case KPIs (care and private law cases, domestic abuse) by month received: the
            # nightly roll-up reads the few columns they need from this index alone (an index-only
            # scan of the cases it covers) and a slice its region's month.
            models.Index(
                fields=["region", "received_on"],
                include=[
                    "team",
                    "application_type",
                    "law_type",
                    "allocated_on",
                    "allocation_working_days",
                    "domestic_abuse_alleged",
                    "domestic_abuse_substantiated",
                ],
                condition=Q(application_type="s31_care") | Q(law_type="private") | Q(domestic_abuse_alleged=True),
                name="case_kpi_received_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(allocated_on__isnull=True) | Q(allocated_on__gte=F("received_on")),
                name="case_allocated_after_received",
            ),
            models.CheckConstraint(
                condition=Q(report_filed_on__isnull=True) | Q(report_filed_on__gte=F("received_on")),
                name="case_filed_after_received",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("received_on")),
                name="case_closed_after_received",
            ),
            models.CheckConstraint(
                condition=Q(report_due_on__isnull=True) | Q(report_due_on__gte=F("received_on")),
                name="case_due_after_received",
            ),
            models.CheckConstraint(
                condition=Q(domestic_abuse_substantiated=False) | Q(domestic_abuse_alleged=True),
                name="case_da_substantiated_only_if_alleged",
            ),
        ]

    def __str__(self):
        return self.reference

    def save(self, *args, **kwargs):
        self.set_allocation_working_days()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"received_on", "allocated_on"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "allocation_working_days"}
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        errors = {}
        if self.team_id and self.region_id and self.team.region_id != self.region_id:
            errors["team"] = "The team must be in the case's region."
        if self.practitioner_id and self.region_id:
            # The region's managers and auditors oversee the case, and its audits count for
            # the region: the allocated practitioner must work there (or be national).
            practitioner_region_id = self.practitioner.region_id
            if practitioner_region_id and practitioner_region_id != self.region_id:
                errors["practitioner"] = (
                    "The practitioner works in another region; allocate someone in the case's region."
                )
        if self.domestic_abuse_substantiated and not self.domestic_abuse_alleged:
            errors["domestic_abuse_substantiated"] = "Domestic abuse can only be substantiated where it was alleged."
        if self.received_on:
            for field, label in [
                ("allocated_on", "allocated"),
                ("report_due_on", "report due"),
                ("report_filed_on", "report filed"),
                ("closed_on", "closed"),
            ]:
                value = getattr(self, field)
                if value and value < self.received_on:
                    errors[field] = f"The {label} date cannot be before the date the case was received."
        if errors:
            raise ValidationError(errors)

    def set_allocation_working_days(self) -> None:
        """Work out `allocation_working_days` from the dates (save() does; bulk writes call it)."""

        allocated = self.received_on and self.allocated_on and self.allocated_on >= self.received_on
        self.allocation_working_days = working_days_between(self.received_on, self.allocated_on) if allocated else None

    @property
    def is_open(self) -> bool:
        return self.closed_on is None


class AgeBand(models.TextChoices):
    UNDER_1 = "0", "Under 1"
    ONE_TO_4 = "1-4", "1 to 4"
    FIVE_TO_9 = "5-9", "5 to 9"
    TEN_TO_14 = "10-14", "10 to 14"
    FIFTEEN_PLUS = "15+", "15 and over"


class Child(models.Model):
    """A child in a case: a label such as "Child A", never a name or a date of birth."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="children")
    label = models.CharField(max_length=20)
    age_band = models.CharField(max_length=10, choices=AgeBand.choices)
    ethnicity = models.CharField(max_length=60, blank=True)
    disability = models.CharField(max_length=60, blank=True)
    religion = models.CharField(max_length=60, blank=True)
    gender_identity = models.CharField(max_length=60, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["case", "label"]
        verbose_name_plural = "children"
        constraints = [models.UniqueConstraint(fields=["case", "label"], name="child_label_unique_in_case")]

    def __str__(self):
        return f"{self.label} ({self.case.reference})"
