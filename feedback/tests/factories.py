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
    anonymous = False
    received_on = datetime.date(2025, 6, 10)
    helpfulness = 8
    worker_helped = True
    case = factory.SubFactory(CaseFactory)
    region = factory.SelfAttribute("case.region")
    team = factory.SelfAttribute("case.team")
    # As recording does (feedback.services._place): who held the case when it came in.
    practitioner = factory.LazyAttribute(lambda o: o.case.practitioner if o.case else None)
