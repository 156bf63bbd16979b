"""Demo data: a domestic-abuse thematic programme (drawn and partly graded) and a calibration session."""

from __future__ import annotations

import datetime

from django.utils import timezone

from audits.models import AuditTemplate, CalibrationSession, Criterion, CriterionKind, Grade, Programme
from audits.services import JudgementInput, audit_save_section, audit_submit
from audits.services.calibration import calibration_create, calibration_grade
from audits.services.grading import applicable_criteria, lower_median
from audits.services.programmes import programme_confirm, programme_create
from cases.models import Case
from organisation.models import User
from organisation.roles import Role

PROGRAMME_NAME = "Domestic abuse thematic audit (demo)"
GRADED_SHARE = 0.6  # of the programme's audits, graded by the demo


def _answers(rng, criteria, law_type) -> list[JudgementInput]:
    out = []
    for c in applicable_criteria(criteria, law_type):
        if c.kind == CriterionKind.GRADED:
            grade = rng.choices([1, 2, 3, 4], weights=[8, 31, 50, 11])[0]  # seed 004: 61% good or better
            out.append(JudgementInput(c.pk, grade=grade, evidence="Seen in the case file."))
        else:
            out.append(JudgementInput(c.pk, answer=rng.random() < 0.7, evidence=""))
    return out


def _overall(answers, criteria) -> int:
    """The suggested grade: the lower median, held at Requires improvement by a limiting criterion."""
    limiting = {c.pk for c in criteria if c.limiting}
    if any(a.criterion_id in limiting and a.grade == Grade.REQUIRES_IMPROVEMENT for a in answers):
        return Grade.REQUIRES_IMPROVEMENT
    return lower_median([a.grade for a in answers if a.grade is not None])


def _programme(rng, admin, today) -> str:
    if Programme.objects.filter(name=PROGRAMME_NAME).exists():
        return "programme already present"
    template = AuditTemplate.objects.filter(slug="domestic-abuse", is_current=True).first()
    if template is None:
        return "no domestic-abuse template: no programme"
    programme = programme_create(
        by=admin,
        name=PROGRAMME_NAME,
        theme="Domestic abuse",
        template=template,
        size=24,
        filters={"domestic_abuse": "yes"},
        seed=2021,
        window_start=today - datetime.timedelta(days=365),
        window_end=today,
        due_on=today + datetime.timedelta(days=28),
    )
    _draw, audits = programme_confirm(programme=programme, by=admin)
    criteria = list(Criterion.objects.filter(template=template))
    graded = 0
    for audit in audits[: int(len(audits) * GRADED_SHARE)]:
        audit.refresh_from_db()
        answers = _answers(rng, criteria, audit.case.law_type)
        audit_save_section(audit=audit, by=audit.auditor, judgements=answers, expected_version=audit.version)
        audit_submit(
            audit=audit,
            by=audit.auditor,
            overall_grade=_overall(answers, criteria),
            rationale="",
            family_feedback=False,
            expected_version=audit.version,
        )
        graded += 1
    return f"programme “{PROGRAMME_NAME}”: {len(audits)} audits, {graded} graded"


def _calibration(rng, admin, today) -> str:
    if CalibrationSession.objects.exists():
        return "calibration session already present"
    template = AuditTemplate.objects.filter(slug="standard", is_current=True).first()
    auditors = list(
        User.objects.filter(groups__name=Role.AUDITOR, region__code="north-east", is_active=True).order_by("pk")[:4]
    )
    volunteer = User.objects.filter(username="volunteer").first()
    case = None
    if template and auditors:
        case = (
            Case.objects.filter(region__code="north-east", practitioner__isnull=False)
            .exclude(practitioner__in=auditors)
            .order_by("reference")
            .first()
        )
    people = auditors + ([volunteer] if volunteer else [])
    if case is None or len(people) < 3:
        return "no calibration session (not enough auditors)"
    session = calibration_create(
        case=case, template=template, auditors=people, held_on=today - datetime.timedelta(days=14), by=admin
    )
    criteria = list(Criterion.objects.filter(template=template))
    for person in people[:-1]:  # one still to grade: the grades stay hidden for now
        answers = _answers(rng, criteria, case.law_type)
        calibration_grade(session=session, by=person, judgements=answers, overall_grade=_overall(answers, criteria))
    return f"calibration session on {case.reference} ({len(people) - 1} of {len(people)} graded)"


def seed(*, stdout, rng) -> dict:
    admin = User.objects.filter(username="qadmin").first()
    if admin is None:
        stdout.write("  programmes: no demo quality admin; skipped")
        return {}
    today = timezone.localdate()
    stdout.write(f"  programmes: {_programme(rng, admin, today)}; {_calibration(rng, admin, today)}")
    return {}
