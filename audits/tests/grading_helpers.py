"""Builders shared by the grading tests: a small template with a limiting and a public-only criterion."""

import datetime

from django.utils import timezone

from audits.models import AppliesTo, CriterionKind
from audits.tests.factories import AuditFactory, AuditTemplateFactory, CriterionFactory
from cases.tests.factories import CaseFactory


def small_template(slug="small"):
    """Two sections; 'needs' is limiting; 'pre-proceedings' is public law only (skipped for private)."""
    template = AuditTemplateFactory(slug=slug, name="Small audit")
    rows = [
        ("needs", "The child", "The child's unique needs are analysed", CriterionKind.GRADED, True, AppliesTo.BOTH),
        ("wishes", "The child", "Wishes and feelings are clear", CriterionKind.GRADED, False, AppliesTo.BOTH),
        ("seen", "The child", "Was the child seen?", CriterionKind.YES_NO, False, AppliesTo.BOTH),
        ("analysis", "Analysis", "The analysis is clear", CriterionKind.GRADED, False, AppliesTo.BOTH),
        (
            "pre-proceedings",
            "Analysis",
            "Pre-proceedings work is explained",
            CriterionKind.GRADED,
            False,
            AppliesTo.PUBLIC,
        ),
    ]
    criteria = {}
    for order, (code, section, text, kind, limiting, applies_to) in enumerate(rows, start=1):
        criteria[code] = CriterionFactory(
            template=template,
            code=code,
            section=section,
            order=order,
            text=text,
            kind=kind,
            limiting=limiting,
            applies_to=applies_to,
        )
    return template, criteria


def wide_template(n, slug=None):
    """One section of n graded criteria (for query-count tests)."""
    template = AuditTemplateFactory(slug=slug or f"wide-{n}", name=f"Wide audit {n}")
    for i in range(1, n + 1):
        CriterionFactory(template=template, code=f"q{i}", section="Only section", order=i, text=f"Question {i}")
    return template


def private_case(practitioner, **kwargs):
    return CaseFactory(team=practitioner.team, practitioner=practitioner, law_type="private", **kwargs)


def audit_of(case, auditor, template, **kwargs):
    kwargs.setdefault("due_on", timezone.localdate() + datetime.timedelta(days=14))
    return AuditFactory(case=case, auditor=auditor, template=template, **kwargs)
