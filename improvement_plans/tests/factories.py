"""Factories for plans, objectives, actions, measures and progress updates."""

import datetime

import factory

from improvement_plans.models import Action, Objective, Plan, ProgressUpdate, SuccessMeasure


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    title = factory.Sequence(lambda n: f"Improvement plan {n}")
    purpose = "To strengthen practice where the audits found it wanting."
    owner_text = "Principal social worker"
    review_on = datetime.date(2026, 6, 30)


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Objective

    plan = factory.SubFactory(PlanFactory)
    ref = factory.Sequence(lambda n: str(n + 1))
    order = factory.Sequence(lambda n: n)
    what = "Improve the effectiveness of management oversight"
    learning_source = "Learning review audit"


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action

    objective = factory.SubFactory(ObjectiveFactory)
    ref = factory.Sequence(lambda n: f"a{n}")
    how = "Refresh the supervision policy"
    owner_roles = "Service managers"
    due_on = datetime.date(2026, 12, 31)


class MeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SuccessMeasure

    plan = factory.SubFactory(PlanFactory)
    description = "More work rated good or better"


class BoundMeasureFactory(MeasureFactory):
    kpi = "good_or_better_pct"
    baseline = 60
    target = 70
    baseline_start = datetime.date(2025, 1, 1)
    baseline_end = datetime.date(2025, 12, 31)
    target_on = datetime.date(2026, 12, 31)


class ProgressUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressUpdate

    on = datetime.date(2026, 1, 15)
    narrative = "Work is under way."
