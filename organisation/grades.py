"""The one grade scale of the service, shared by every app (audits grade with it, cases show it)."""

from django.db import models


class Grade(models.IntegerChoices):
    """Ordered, so "good or better" is grade >= Grade.GOOD."""

    REQUIRES_IMPROVEMENT = 1, "Requires improvement"
    MEETS_STANDARD = 2, "Meets standard"
    GOOD = 3, "Good"
    OUTSTANDING = 4, "Outstanding"
