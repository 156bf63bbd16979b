"""A programme's progress and results, and the comparison of a re-audit with the earlier programme.

Read straight from its audits and judgements (a programme is a few hundred audits): a fixed
number of queries whatever its size. Every percentage keeps its numerator and denominator.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Max, Min, Q

from audits.models import Audit, AuditStatus, CriterionKind, Grade, Judgement, Programme
from audits.services.grading import lower_median
from audits.stats import percent, two_proportion_test, wilson

GRADES_HIGH_FIRST = [Grade.OUTSTANDING, Grade.GOOD, Grade.MEETS_STANDARD, Grade.REQUIRES_IMPROVEMENT]
BEYOND_CHANCE_P = 0.05


# ---- progress ----------------------------------------------------------------------------------


@dataclass
class Progress:
    label: str
    scheduled: int = 0
    in_progress: int = 0
    done: int = 0
    cancelled: int = 0

    @property
    def total(self) -> int:
        return self.scheduled + self.in_progress + self.done

    def add(self, status: str, n: int) -> None:
        if status == AuditStatus.SCHEDULED:
            self.scheduled += n
        elif status == AuditStatus.IN_PROGRESS:
            self.in_progress += n
        elif status in (AuditStatus.SUBMITTED, AuditStatus.COMPLETED):
            self.done += n
        else:
            self.cancelled += n


def programme_progress(programme: Programme) -> tuple[Progress, list[Progress], list[Progress]]:
    """(overall, by region, by auditor): scheduled / in progress / done (one query)."""
    total = Progress("All")
    regions: dict[str, Progress] = {}
    auditors: dict[str, Progress] = {}
    rows = (
        Audit.objects.filter(programme=programme)
        .values("case__region__name", "auditor__full_name", "auditor__username", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        region = row["case__region__name"]
        auditor = row["auditor__full_name"] or row["auditor__username"]
        for bucket in (
            total,
            regions.setdefault(region, Progress(region)),
            auditors.setdefault(auditor, Progress(auditor)),
        ):
            bucket.add(row["status"], row["n"])
    return total, sorted(regions.values(), key=lambda p: p.label), sorted(auditors.values(), key=lambda p: p.label)


# ---- results -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Proportion:
    key: str
    label: str
    k: int
    n: int

    @property
    def pct(self) -> float | None:
        return percent(self.k, self.n)

    @property
    def ci(self) -> tuple[float, float] | None:
        return wilson(self.k, self.n)


@dataclass
class Results:
    audits: int
    grades: list[Proportion]
    good_or_better: Proportion
    criteria: list[Proportion]  # % good or better (graded) or % yes (yes/no), key "criterion:<code>"
    capped: list[tuple[str, int]] = field(default_factory=list)  # (criterion text, audits it capped)

    def figures(self) -> list[Proportion]:
        return [self.good_or_better, *self.grades, *self.criteria]


def _grade_mix(programme: Programme) -> tuple[int, list[Proportion], Proportion]:
    counts = dict(
        Audit.objects.filter(programme=programme, status=AuditStatus.COMPLETED)
        .values_list("final_grade")
        .annotate(n=Count("pk"))
        .order_by()
    )
    n = sum(counts.values())
    grades = [Proportion(f"grade:{g.value}", f"{g.label}", counts.get(g.value, 0), n) for g in GRADES_HIGH_FIRST]
    gob = counts.get(Grade.OUTSTANDING, 0) + counts.get(Grade.GOOD, 0)
    return n, grades, Proportion("good_or_better", "Good or better", gob, n)


def _criterion_profile(programme: Programme) -> list[Proportion]:
    rows = (
        Judgement.objects.filter(audit__programme=programme, audit__status=AuditStatus.COMPLETED)
        .values("criterion__code", "criterion__kind")
        .annotate(
            text=Max("criterion__text"),
            order=Min("criterion__order"),
            graded=Count("pk", filter=Q(grade__isnull=False)),
            good=Count("pk", filter=Q(grade__gte=Grade.GOOD)),
            answered=Count("pk", filter=Q(answer__isnull=False)),
            yes=Count("pk", filter=Q(answer=True)),
        )
        .order_by("order", "criterion__code")
    )
    out = []
    for row in rows:
        graded = row["criterion__kind"] == CriterionKind.GRADED
        k, n = (row["good"], row["graded"]) if graded else (row["yes"], row["answered"])
        suffix = "good or better" if graded else "yes"
        out.append(Proportion(f"criterion:{row['criterion__code']}", f"{row['text']} (% {suffix})", k, n))
    return out


def _capping(programme: Programme) -> list[tuple[str, int]]:
    """Limiting criteria graded Requires improvement in audits whose other grades would have
    suggested more: how many audits each one capped (one query over the graded judgements)."""
    per_audit: dict[int, list[tuple[int, bool, str]]] = defaultdict(list)
    for audit_id, grade, limiting, text in Judgement.objects.filter(
        audit__programme=programme, audit__status=AuditStatus.COMPLETED, grade__isnull=False
    ).values_list("audit_id", "grade", "criterion__limiting", "criterion__text"):
        per_audit[audit_id].append((grade, limiting, text))
    capped: dict[str, int] = defaultdict(int)
    for judgements in per_audit.values():
        if lower_median([g for g, _, _ in judgements]) <= Grade.REQUIRES_IMPROVEMENT:
            continue  # the grades alone give Requires improvement: nothing was capped
        for grade, limiting, text in judgements:
            if limiting and grade == Grade.REQUIRES_IMPROVEMENT:
                capped[text] += 1
    return sorted(capped.items(), key=lambda kv: (-kv[1], kv[0]))


def programme_results(programme: Programme) -> Results:
    """Grade mix, criterion profile and capping of the programme's completed audits (three queries)."""
    n, grades, gob = _grade_mix(programme)
    return Results(
        audits=n, grades=grades, good_or_better=gob, criteria=_criterion_profile(programme), capped=_capping(programme)
    )


# ---- re-audit comparison ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    label: str
    earlier: Proportion | None
    now: Proportion

    @property
    def change(self) -> float | None:
        if self.earlier is None or self.earlier.pct is None or self.now.pct is None:
            return None
        return self.now.pct - self.earlier.pct

    @property
    def test(self) -> tuple[float, float] | None:
        if self.earlier is None:
            return None
        return two_proportion_test(self.earlier.k, self.earlier.n, self.now.k, self.now.n)

    @property
    def p_value(self) -> float | None:
        return self.test[1] if self.test else None

    @property
    def beyond_chance(self) -> bool:
        return self.p_value is not None and self.p_value < BEYOND_CHANCE_P


def compare(earlier: Results, now: Results) -> list[Change]:
    """Each figure of the re-audit beside the earlier programme's (criteria matched by code)."""
    before = {p.key: p for p in earlier.figures()}
    return [Change(p.label, before.get(p.key), p) for p in now.figures()]
