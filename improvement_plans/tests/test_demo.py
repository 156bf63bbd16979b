"""The demo plans load, are idempotent, and show overdue, due-soon and complete actions."""

import io
import random

import pytest
from django.utils import timezone

from improvement_plans import demo, rag
from improvement_plans.models import Action, Objective, Plan, ProgressUpdate, SuccessMeasure
from organisation import demo as organisation_demo

pytestmark = pytest.mark.django_db


def counts():
    return [m.objects.count() for m in (Plan, Objective, Action, SuccessMeasure, ProgressUpdate)]


def test_seed_twice_gives_the_same_rows_and_a_mix_of_ratings():
    out = io.StringIO()
    organisation_demo.seed(stdout=out, rng=random.Random(1))
    demo.seed(stdout=out, rng=random.Random(1))
    first = counts()
    demo.seed(stdout=out, rng=random.Random(1))
    assert counts() == first
    assert first[0] == 2
    da = Plan.objects.get(title=demo.DA_TITLE)
    assert da.objectives.count() == 4
    actions = list(Action.objects.filter(objective__plan=da))
    assert len(actions) == 12
    today = timezone.localdate()
    ratings = {rag.action_rag(status=a.status, due_on=a.due_on, review_on=a.review_on, today=today) for a in actions}
    assert ratings == {"red", "amber", "green"}
    assert any(a.status == "complete" for a in actions)
    assert SuccessMeasure.objects.filter(plan=da, kpi="good_or_better_pct", scope="region").exists()
    # One measure follows a criterion of the standard template: the impact of domestic abuse on the child.
    assert SuccessMeasure.objects.get(plan=da, kpi="criterion:domestic-abuse-impact").region.code == "north-east"
    national = Plan.objects.get(title=demo.NATIONAL_TITLE)
    assert national.objectives.count() == 12
    assert SuccessMeasure.objects.filter(plan=national).count() == 12
    assert SuccessMeasure.objects.filter(plan=national).exclude(kpi="").count() >= 3
    assert ProgressUpdate.objects.filter(author__username="director").count() >= 3
