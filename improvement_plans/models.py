"""Improvement plans the board follows: objectives, actions, success measures and progress updates.

A success measure may be bound to a KPI of dashboards.selectors so that its current value
is read live from the snapshots; RAG ratings are computed by improvement_plans.rag.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from dashboards import selectors as kpis
from organisation.models import Region


class Rag(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"


class PlanQuerySet(models.QuerySet):
    def for_list(self):
        return self.select_related("region", "owner")


class Plan(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        CLOSED = "closed", "Closed"

    title = models.CharField(max_length=200)
    purpose = models.TextField(blank=True, help_text="Why the plan exists and what it draws on")
    region = models.ForeignKey(
        Region,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="improvement_plans",
        help_text="Leave empty for a national plan",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_plans"
    )
    owner_text = models.CharField(
        "Owner (role or name)", max_length=200, blank=True, help_text="For example, 'Principal social worker'"
    )
    review_on = models.DateField("Review date", null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    history = HistoricalRecords()
    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="plan_title_not_blank"),
            models.CheckConstraint(condition=Q(status__in=["draft", "active", "closed"]), name="plan_status_valid"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("improvement_plans:detail", args=[self.pk])

    @property
    def scope_label(self) -> str:
        return self.region.name if self.region_id else "National"

    @property
    def owner_label(self) -> str:
        parts = [str(self.owner)] if self.owner_id else []
        if self.owner_text:
            parts.append(self.owner_text)
        return ", ".join(parts)


class Objective(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="objectives")
    ref = models.CharField("Reference", max_length=10, help_text="Such as '1'")
    order = models.PositiveIntegerField(default=0)
    what = models.TextField("What we will do")
    learning_source = models.TextField("Where the learning came from", blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "order", "ref"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "ref"], name="objective_ref_unique_in_plan"),
            models.CheckConstraint(condition=~Q(ref="") & ~Q(what=""), name="objective_ref_and_what_given"),
        ]

    def __str__(self):
        return f"{self.ref}. {self.what[:60]}"


class Action(models.Model):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETE = "complete", "Complete"

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="actions")
    ref = models.CharField("Reference", max_length=10, help_text="Such as '1.2'")
    order = models.PositiveIntegerField(default=0)
    how = models.TextField("How we will do it")
    owners = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="plan_actions")
    owner_roles = models.CharField(
        "Owners (role phrase)",
        max_length=300,
        blank=True,
        help_text="For example, 'Service managers and practice supervisors'",
    )
    due_on = models.DateField("Due date", null=True, blank=True)
    due_phrase = models.CharField(
        "When (phrase)", max_length=100, blank=True, help_text="A recurring or approximate time such as 'biannually'"
    )
    review_on = models.DateField(
        "Review date", null=True, blank=True, help_text="The date checked instead when there is only a phrase"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    completed_on = models.DateField(null=True, blank=True)

    history = HistoricalRecords(m2m_fields=[owners])

    class Meta:
        ordering = ["objective__order", "order", "ref"]
        constraints = [
            models.UniqueConstraint(fields=["objective", "ref"], name="action_ref_unique_in_objective"),
            models.CheckConstraint(condition=~Q(ref="") & ~Q(how=""), name="action_ref_and_how_given"),
            models.CheckConstraint(
                condition=Q(status__in=["not_started", "in_progress", "complete"]), name="action_status_valid"
            ),
            # Every action can be dated: a due date, or a phrase kept with the date it is reviewed on.
            models.CheckConstraint(
                condition=Q(due_on__isnull=False) | (~Q(due_phrase="") & Q(review_on__isnull=False)),
                name="action_has_due_date_or_phrase_with_review_date",
            ),
            # A completion date exactly when complete.
            models.CheckConstraint(
                condition=(Q(status="complete") & Q(completed_on__isnull=False))
                | (~Q(status="complete") & Q(completed_on__isnull=True)),
                name="action_completed_on_iff_complete",
            ),
        ]

    def __str__(self):
        return f"{self.ref} {self.how[:60]}"

    def clean(self):
        super().clean()
        errors = {}
        if self.due_on is None:
            if not self.due_phrase:
                errors["due_on"] = "Enter a due date, or a phrase such as 'biannually' with a review date"
            elif self.review_on is None:
                errors["review_on"] = "Enter a review date for an action that only has a phrase"
        if self.status == self.Status.COMPLETE and self.completed_on is None:
            errors["completed_on"] = "Enter the date the action was completed"
        if self.status != self.Status.COMPLETE and self.completed_on is not None:
            errors["completed_on"] = "Only a complete action has a completion date: clear it or mark it complete"
        if errors:
            raise ValidationError(errors)

    @property
    def check_date(self) -> datetime.date | None:
        """The date the RAG rules look at: the due date, else the review date of a phrase."""
        return self.due_on or self.review_on

    @property
    def owner_label(self) -> str:
        names = [str(u) for u in self.owners.all()]
        if self.owner_roles:
            names.append(self.owner_roles)
        return "; ".join(names)


class SuccessMeasure(models.Model):
    class Scope(models.TextChoices):
        PLAN = "plan", "The plan's own scope"
        NATIONAL = "national", "National"
        REGION = "region", "One region"

    class Direction(models.TextChoices):
        HIGHER = "higher", "Higher is better"
        LOWER = "lower", "Lower is better"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="measures")
    objective = models.ForeignKey(
        Objective,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="measures",
        help_text="Leave empty for a measure of the whole plan",
    )
    order = models.PositiveIntegerField(default=0)
    description = models.TextField("How we will know")
    # No model choices: the KPI registry lives in dashboards and grows without a migration here.
    # 80 characters: "criterion:" and a criterion code (a slug of up to 60).
    kpi = models.CharField(
        "KPI",
        max_length=80,
        blank=True,
        help_text="A key of dashboards.selectors.KPIS, or 'criterion:<code>' for a criterion's % good or better",
    )
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.PLAN)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    baseline = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    target = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    direction = models.CharField(max_length=6, choices=Direction.choices, default=Direction.HIGHER)
    baseline_start = models.DateField("Baseline period from", null=True, blank=True)
    baseline_end = models.DateField("Baseline period to", null=True, blank=True)
    target_on = models.DateField("Target date", null=True, blank=True)
    current_months = models.PositiveSmallIntegerField(
        "Months counted in 'now'", default=3, help_text="'Now' sums this many months up to this month"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "order", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(description=""), name="measure_description_given"),
            # A bound measure needs a baseline and a target to be rated.
            models.CheckConstraint(
                condition=Q(kpi="") | (Q(baseline__isnull=False) & Q(target__isnull=False)),
                name="measure_bound_has_baseline_and_target",
            ),
            # A region exactly when the scope is one region.
            models.CheckConstraint(
                condition=(Q(scope="region") & Q(region__isnull=False)) | (~Q(scope="region") & Q(region__isnull=True)),
                name="measure_region_iff_region_scope",
            ),
            models.CheckConstraint(
                condition=Q(baseline_start__isnull=True)
                | Q(baseline_end__isnull=True)
                | Q(baseline_start__lte=F("baseline_end")),
                name="measure_baseline_period_in_order",
            ),
            # The straight line to the target starts at the end of the baseline period.
            models.CheckConstraint(
                condition=Q(target_on__isnull=True)
                | (Q(baseline_end__isnull=False) & Q(target_on__gt=F("baseline_end"))),
                name="measure_target_date_after_baseline",
            ),
            models.CheckConstraint(
                condition=Q(current_months__gte=1) & Q(current_months__lte=12), name="measure_current_months_1_to_12"
            ),
            models.CheckConstraint(
                condition=Q(kpi="")
                | (Q(direction="higher") & Q(target__gte=F("baseline")))
                | (Q(direction="lower") & Q(target__lte=F("baseline"))),
                name="measure_target_in_its_direction",
            ),
        ]

    def __str__(self):
        return self.description[:80]

    def clean(self):
        super().clean()
        errors = {
            **self._kpi_errors(),
            **self._scope_errors(),
            **self._period_errors(),
            **self._direction_errors(),
        }
        if self.objective_id and self.plan_id and self.objective.plan_id != self.plan_id:
            errors["objective"] = "Choose an objective of this plan"
        if self.current_months is not None and not 1 <= self.current_months <= 12:
            errors["current_months"] = "Enter a number of months from 1 to 12"
        errors |= self._range_errors(errors)
        if errors:
            raise ValidationError(errors)

    def _kpi_errors(self) -> dict[str, str]:
        """The KPI is one we know, and a measure bound to one has a baseline and a target."""
        errors = {}
        # A criterion must have been graded to be chosen; one already bound (before its first
        # roll-up, say) stays valid, so editing the rest of the measure is never blocked by it.
        if kpis.is_criterion_kpi(self.kpi) and not kpis.is_known_kpi(self.kpi) and not self._kpi_is_saved():
            errors["kpi"] = (
                f"No audit criterion with the code '{kpis.criterion_code(self.kpi)}' has been graded: "
                "choose a criterion from the list"
            )
        elif self.kpi and not kpis.is_kpi(self.kpi):
            errors["kpi"] = "Choose a KPI from the list"
        if self.kpi:
            if self.baseline is None:
                errors["baseline"] = "Enter the baseline of a measure bound to a KPI"
            if self.target is None:
                errors["target"] = "Enter the target of a measure bound to a KPI"
        return errors

    def _scope_errors(self) -> dict[str, str]:
        """A region exactly when the scope is one region."""
        if self.scope == self.Scope.REGION and self.region_id is None:
            return {"region": "Choose the region"}
        if self.scope != self.Scope.REGION and self.region_id is not None:
            return {"region": "Only choose a region when the scope is one region"}
        return {}

    def _period_errors(self) -> dict[str, str]:
        """The baseline period in order, and the target date after it (the line to the target starts there)."""
        errors = {}
        if self.baseline_start and self.baseline_end and self.baseline_start > self.baseline_end:
            errors["baseline_end"] = "The baseline period must end on or after it starts"
        if self.target_on:
            if not self.baseline_end:
                errors["baseline_end"] = (
                    "Enter the end of the baseline period so progress to the target date can be drawn"
                )
            elif self.target_on <= self.baseline_end:
                errors["target_on"] = "The target date must be after the baseline period"
        return errors

    def _direction_errors(self) -> dict[str, str]:
        """The target lies on the better side of the baseline."""
        if not self.kpi or self.baseline is None or self.target is None:
            return {}
        if self.direction == self.Direction.HIGHER and self.target < self.baseline:
            return {"target": "Where higher is better, the target must be at least the baseline"}
        if self.direction == self.Direction.LOWER and self.target > self.baseline:
            return {"target": "Where lower is better, the target must be at most the baseline"}
        return {}

    def _range_errors(self, errors: dict[str, str]) -> dict[str, str]:
        """A baseline or target the KPI can never take would make every rating meaningless
        (checked only where the KPI and the value have no error already)."""
        unit = kpis.kpi_unit(self.kpi) if self.kpi and "kpi" not in errors else None
        out = {}
        for name in ("baseline", "target"):
            value = getattr(self, name)
            if value is None or name in errors:
                continue
            if unit == "%" and not 0 <= value <= 100:
                out[name] = f"Enter the {name} as a percentage from 0 to 100"
            elif unit is not None and value < 0:
                out[name] = f"Enter the {name} as a number of days, 0 or more"
        return out

    def _kpi_is_saved(self) -> bool:
        return self.pk is not None and SuccessMeasure.objects.filter(pk=self.pk, kpi=self.kpi).exists()

    @property
    def is_bound(self) -> bool:
        """Bound to a registry KPI or a criterion (judged from the key alone: no query)."""
        return bool(self.kpi) and kpis.is_kpi(self.kpi)

    @property
    def is_criterion(self) -> bool:
        return kpis.is_criterion_kpi(self.kpi)

    @property
    def kpi_unit(self) -> str:
        return kpis.kpi_unit(self.kpi) if self.is_bound else ""

    @property
    def kpi_label(self) -> str:
        """The KPI's name; a criterion's text is not read here (the plan page takes it from the snapshots)."""
        return kpis.kpi_label(self.kpi) if self.is_bound else ""

    def region_for(self, plan) -> Region | None:
        """The region whose figures the measure reads; None means national."""
        if self.scope == self.Scope.PLAN:
            return plan.region
        if self.scope == self.Scope.REGION:
            return self.region
        return None


class ProgressUpdate(models.Model):
    action = models.ForeignKey(Action, null=True, blank=True, on_delete=models.CASCADE, related_name="updates")
    measure = models.ForeignKey(SuccessMeasure, null=True, blank=True, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="plan_progress_updates"
    )
    on = models.DateField("Date", default=datetime.date.today)
    rag = models.CharField(
        "Manual RAG", max_length=5, blank=True, choices=Rag.choices, help_text="Only if you judge it differently"
    )
    rag_reason = models.TextField("Reason for the manual RAG", blank=True)
    narrative = models.TextField("Progress")
    evidence_url = models.URLField("Evidence link", blank=True, max_length=500)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-on", "-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(action__isnull=False) & Q(measure__isnull=True))
                | (Q(action__isnull=True) & Q(measure__isnull=False)),
                name="progress_update_for_one_action_or_measure",
            ),
            models.CheckConstraint(
                condition=Q(rag="") | ~Q(rag_reason=""), name="progress_update_manual_rag_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(rag__in=["", "red", "amber", "green"]), name="progress_update_rag_valid"
            ),
            models.CheckConstraint(condition=~Q(narrative=""), name="progress_update_narrative_given"),
        ]

    def __str__(self):
        return f"{self.on:%Y-%m-%d}: {self.narrative[:60]}"

    def clean(self):
        super().clean()
        errors = {}
        if self.rag and not self.rag_reason.strip():
            errors["rag_reason"] = "Give the reason for a manual RAG"
        # An update reports what has happened: a future date would sit on top as "latest" for months.
        if self.on and self.on > timezone.localdate():
            errors["on"] = "The date of an update must be today or in the past"
        if errors:
            raise ValidationError(errors)
