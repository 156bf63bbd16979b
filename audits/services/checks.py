"""Data checks: completed audits that break a grading rule (listed by `check_audits`, never changed)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q

from audits.models import GRADED_STATUSES, Audit, AuditStatus, Grade, Judgement


@dataclass(frozen=True)
class Breach:
    audit_id: int
    case_reference: str
    completed_on: object
    rule: str
    detail: str

    def line(self) -> str:
        on = self.completed_on.isoformat() if self.completed_on else "not completed"
        return f"audit {self.audit_id} (case {self.case_reference}, completed {on}): {self.rule}: {self.detail}"


ABOVE_CEILING = "although a limiting criterion is graded Requires improvement"


def _over_ceiling() -> list[Breach]:
    limiting_ri = Judgement.objects.filter(
        audit_id=OuterRef("pk"), criterion__limiting=True, grade=Grade.REQUIRES_IMPROVEMENT
    )
    rows = (
        Audit.objects.filter(status__in=GRADED_STATUSES, overall_grade__gt=Grade.REQUIRES_IMPROVEMENT)
        .filter(Exists(limiting_ri))
        .values_list("pk", "case__reference", "completed_on", "overall_grade")
        .order_by("pk")
    )
    return [
        Breach(pk, ref, on, "limiting ceiling", f"overall grade {Grade(grade).label} {ABOVE_CEILING}")
        for pk, ref, on, grade in rows
    ]


def _no_rationale() -> list[Breach]:
    rows = (
        Audit.objects.filter(status__in=GRADED_STATUSES, suggested_grade__isnull=False, overall_grade__isnull=False)
        .exclude(overall_grade=F("suggested_grade"))
        .filter(rationale="")
        .values_list("pk", "case__reference", "completed_on", "overall_grade", "suggested_grade")
        .order_by("pk")
    )
    return [
        Breach(
            pk,
            ref,
            on,
            "missing rationale",
            f"overall grade {Grade(grade).label} differs from the suggested {Grade(suggested).label} with no rationale",
        )
        for pk, ref, on, grade, suggested in rows
    ]


def _self_audit() -> list[Breach]:
    rows = (
        Audit.objects.exclude(status=AuditStatus.CANCELLED)
        .filter(Q(auditor_id=F("practitioner_id")) | Q(auditor_id=F("case__practitioner_id")))
        .values_list("pk", "case__reference", "completed_on")
        .order_by("pk")
    )
    return [Breach(pk, ref, on, "self-audit", "the auditor is the practitioner of the case") for pk, ref, on in rows]


def audit_rule_breaches() -> list[Breach]:
    """Every breach, by rule then audit: three set-based queries whatever the number of audits."""
    return [*_over_ceiling(), *_no_rationale(), *_self_audit()]
