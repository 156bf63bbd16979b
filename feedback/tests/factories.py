import datetime

import factory

from cases.tests.factories import CaseFactory
from feedback.models import Feedback


class FeedbackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Feedback

    respondent = "parent_carer"
    channel = "phone"
    kind = "feedback"
    received_on = datetime.date(2025, 6, 10)
    helpfulness = 8
    worker_helped = True
    case = factory.SubFactory(CaseFactory)
    region = factory.SelfAttribute("case.region")
    team = factory.SelfAttribute("case.team")
