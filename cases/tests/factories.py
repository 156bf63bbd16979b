"""Factories for cases and children; a case's team is always in its region."""

import datetime

import factory

from cases.models import ApplicationType, Case, Child, LawType
from organisation.tests.factories import TeamFactory, UserFactory


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case
        django_get_or_create = ("reference",)

    reference = factory.Sequence(lambda n: f"CASE-{n:06d}")
    team = factory.SubFactory(TeamFactory)
    region = factory.LazyAttribute(lambda o: o.team.region)
    law_type = LawType.PRIVATE
    application_type = ApplicationType.CHILD_ARRANGEMENTS
    practitioner = factory.SubFactory(UserFactory, team=factory.SelfAttribute("..team"), roles=["practitioner"])
    received_on = datetime.date(2025, 4, 1)
    allocated_on = factory.LazyAttribute(lambda o: o.received_on + datetime.timedelta(days=1))
    report_due_on = factory.LazyAttribute(lambda o: o.received_on + datetime.timedelta(weeks=12))


class ChildFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Child

    case = factory.SubFactory(CaseFactory)
    label = factory.Sequence(lambda n: f"Child {chr(65 + n % 26)}{n // 26 or ''}")
    age_band = "5-9"
