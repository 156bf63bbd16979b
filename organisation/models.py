"""Regions, teams and people: the organisation every other app hangs from."""

from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models

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
