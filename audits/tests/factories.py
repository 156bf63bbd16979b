"""Factories for audit templates, criteria, audits and judgements.

`CompletedAuditFactory` builds a completed audit the way completion leaves it (region,
team and practitioner copied from the case, final grade set) without going through the
service, for tests of readers such as the dashboards.
"""

import datetime

import factory
from django.utils import timezone

from audits.models import Audit, AuditStatus, AuditTemplate, Criterion, CriterionKind, Grade, Judgement
from cases.tests.factories import CaseFactory
from organisation.tests.factories import UserFactory


class AuditTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditTemplate
        django_get_or_create = ("slug", "version")

    slug = factory.Sequence(lambda n: f"template-{n}")
    version = 1
    name = factory.Sequence(lambda n: f"Case file audit {n}")


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion

    template = factory.SubFactory(AuditTemplateFactory)
    code = factory.Sequence(lambda n: f"criterion-{n}")
    section = "Analysis"
    order = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"Criterion {n}")
    kind = CriterionKind.GRADED
    limiting = False


class AuditFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Audit

    case = factory.SubFactory(CaseFactory)
    template = factory.SubFactory(AuditTemplateFactory)
    auditor = factory.SubFactory(UserFactory, team=factory.SelfAttribute("..case.team"), roles=["auditor"])
    status = AuditStatus.SCHEDULED
    due_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=14))
    # Copied from the case when an audit is made (audit_create), as the lists expect.
    region = factory.SelfAttribute("case.region")
    team = factory.SelfAttribute("case.team")
    practitioner = factory.SelfAttribute("case.practitioner")


class CompletedAuditFactory(AuditFactory):
    status = AuditStatus.COMPLETED
    overall_grade = Grade.GOOD
    suggested_grade = factory.SelfAttribute("overall_grade")
    final_grade = factory.SelfAttribute("overall_grade")
    completed_on = datetime.date(2025, 6, 15)
    completed_at = factory.LazyAttribute(
        lambda o: timezone.make_aware(datetime.datetime.combine(o.completed_on, datetime.time(12)))
    )
    submitted_at = factory.SelfAttribute("completed_at")


class JudgementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Judgement

    audit = factory.SubFactory(AuditFactory)
    criterion = factory.SubFactory(CriterionFactory, template=factory.SelfAttribute("..audit.template"))
    grade = Grade.GOOD
