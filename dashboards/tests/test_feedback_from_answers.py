"""The headline figures from answers given on the question sets equal figures worked out by hand."""

import datetime

import pytest
import time_machine

from cases.tests.factories import CaseFactory
from dashboards.models import KpiSnapshot
from dashboards.rollup import rollup_all
from feedback import services
from feedback.models import Feedback

pytestmark = pytest.mark.django_db

# (audience, answers by question code) as the people gave them.
GIVEN = [
    ("child", {"listened": "happy", "helped": "happy", "understood": "sad"}),
    ("child", {"helped": "in_between", "understood": "happy"}),  # "in between" is neither yes nor no
    ("child", {"helped": "sad", "anything_else": "I wanted to say more"}),
    ("young_person", {"helpfulness": "7", "helped": "yes", "understood": "no"}),
    ("parent_carer", {"helpfulness": "3", "helped": "no", "understood": "not_sure"}),
    ("parent_carer", {"respect": "yes"}),  # no mapped question answered: no figure
    ("judge", {"helpfulness": "9", "assisted_court": "yes", "clear_recommendation": "yes"}),
    ("professional", {"helpfulness": "0", "worked_well": "no"}),
]


def test_mapped_answers_give_the_headline_figures(team, practitioner):
    case = CaseFactory(team=team, practitioner=practitioner)
    with time_machine.travel(datetime.datetime(2025, 6, 12, 12, tzinfo=datetime.UTC)):
        for audience, answers in GIVEN:
            _, token = services.feedback_request_create(case=case, audience=audience, by=practitioner)
            services.feedback_submit_via_link(token=token, answers=answers)
    rollup_all()

    # By hand from GIVEN: helpfulness answered 4 times (7, 3, 9, 0). Worker helped: child happy (yes),
    # child in between (not counted), child sad (no), young person yes, parent no, judge yes,
    # professional no → 6 answered, 3 yes.
    snap = KpiSnapshot.objects.get(team=team, month=datetime.date(2025, 6, 1))
    assert snap.feedback_count == 8
    assert (snap.feedback_helpfulness_count, snap.feedback_helpfulness_sum) == (4, 7 + 3 + 9 + 0)
    assert (snap.feedback_worker_helped_count, snap.feedback_worker_helped_yes) == (6, 3)

    # Understood the recommendation: child sad → no, child happy → yes, young person no, parent not sure
    # → no answer, judge yes.
    understood = sorted(str(v) for v in Feedback.objects.values_list("understood_recommendation", flat=True))
    assert understood == sorted(["False", "True", "False", "True"] + ["None"] * 4)
    respondents = sorted(Feedback.objects.values_list("respondent", flat=True))
    assert respondents == sorted(["child"] * 4 + ["parent_carer"] * 2 + ["judge", "professional"])
    assert Feedback.objects.filter(comments="I wanted to say more").count() == 1
