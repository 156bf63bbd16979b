"""Regions, teams and people: the organisation every other app hangs from."""

from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .roles import Role


class Region(models.Model):
    code = models.SlugField(max_length=20, unique=True, help_text="Short stable code, such as 'north-east'")
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Team(models.Model):
    code = models.SlugField(max_length=30, unique=True)
    name = models.CharField(max_length=100)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="teams")

    class Meta:
        ordering = ["region__name", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="team_name_unique_in_region")]

    def __str__(self):
        return self.name


class EmailPreference(models.TextChoices):
    IMMEDIATE = "immediate", "Email me when something is given to me, and a daily summary"
    DIGEST = "digest", "Only the daily summary"
    NONE = "none", "No emails"


class User(AbstractUser):
    full_name = models.CharField(max_length=150, blank=True)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="people")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="people")
    collaborative_feedback = models.BooleanField(
        default=False,
        help_text=(
            "Collaborative feedback applies to this practitioner: audit scheduling aims for 4 audits "
            "of their cases in a rolling 12 months instead of 8."
        ),
    )
    email_preference = models.CharField(
        max_length=10, choices=EmailPreference.choices, default=EmailPreference.IMMEDIATE
    )

    # Who changed a person's details, roles (groups) or activity, and when. The password hash
    # is never copied; a sign-in's last_login is written without a history row (apps.py).
    history = HistoricalRecords(excluded_fields=["password", "last_login"], m2m_fields=["groups"])

    class Meta:
        ordering = ["full_name", "username"]

    def __str__(self):
        return self.full_name or self.get_full_name() or self.username

    def clean(self):
        super().clean()
        if self.team_id and not self.region_id:
            # Visibility goes by home region: a team without one would hide the region's cases.
            raise ValidationError({"region": "Give the person's home region as well as their team."})
        if self.team_id and self.region_id and self.team.region_id != self.region_id:
            raise ValidationError({"team": "The team must be in the person's home region."})

    @cached_property
    def roles(self) -> frozenset[str]:
        """Role names from the person's groups; cached for the request (one query)."""
        if not self.is_authenticated or not self.is_active:
            return frozenset()
        names = frozenset(self.groups.values_list("name", flat=True))
        return names & frozenset(Role.values)

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))

    @property
    def display_name(self) -> str:
        return str(self)


class AccessRecord(models.Model):
    """One view of a child's case, an audit, feedback or an export: who, what, when, from where.

    Written with one INSERT per page (organisation.access_log), read by quality admins in
    the admin and by `access_report`, and purged after ACCESS_LOG_RETENTION_DAYS. The case
    reference is copied onto every row (an audit's or a feedback's too), so "who saw this
    case and its records" is one indexed filter and this app never reads the others' tables.
    """

    class Kind(models.TextChoices):
        CASE = "case", "Case"
        AUDIT = "audit", "Audit"
        FEEDBACK = "feedback", "Feedback"
        EXPORT = "export", "Export"

    at = models.DateTimeField(default=timezone.now, editable=False)
    # No index of its own: access_user_at_idx leads with it.
    user = models.ForeignKey(
        "User", null=True, on_delete=models.SET_NULL, related_name="+", editable=False, db_index=False
    )
    # Kept beside the key: the log still says who if the account is ever deleted.
    username = models.CharField(max_length=150, editable=False)
    kind = models.CharField(max_length=10, choices=Kind.choices, editable=False)
    # The audit's or feedback's id, or what was exported (such as "cases.csv").
    object_id = models.CharField(max_length=100, blank=True, editable=False)
    case_reference = models.CharField(max_length=30, blank=True, editable=False)
    ip_address = models.GenericIPAddressField(null=True, blank=True, editable=False)
    path = models.CharField(max_length=500, editable=False)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "access record"
        indexes = [
            # access_report --case REF: one case's views, newest first.
            models.Index(fields=["case_reference", "at"], name="access_case_at_idx"),
            # The admin's list by person, and the retention purge by age.
            models.Index(fields=["user", "at"], name="access_user_at_idx"),
            models.Index(fields=["at"], name="access_at_idx"),
        ]

    def __str__(self):
        what = self.case_reference or self.object_id
        return f"{self.username} viewed {self.get_kind_display().lower()} {what} at {self.at:%Y-%m-%d %H:%M}"
