"""What a calibration session shows once revealed: spread per criterion, agreement, and the yearly list.

Exact agreement (of a criterion, or of the overall grade) is the share of pairs of
participants who gave the same answer: with n answers, sum over answers of c(c-1) divided
by n(n-1) — the per-subject agreement of Fleiss (1971). Fleiss' kappa is reported over the
graded criteria of the file (each criterion a subject, the participants its raters) and, in
the yearly list, over the overall grades of the region's sessions (each session a subject).
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q

from audits.models import (
    CalibrationJudgement,
    CalibrationParticipant,
    CalibrationSession,
    CriterionKind,
    Grade,
)
from audits.services.calibration import SESSIONS_A_YEAR
from audits.stats import fleiss_kappa
from organisation.models import Region

GRADE_VALUES = [g.value for g in Grade]


def pairwise_agreement(answers: list) -> float | None:
    """Share (percent) of pairs of participants giving the same answer; None under two answers."""
    n = len(answers)
    if n < 2:
        return None
    same = sum(c * (c - 1) for c in Counter(answers).values())
    return same / (n * (n - 1)) * 100


@dataclass
class CriterionSpread:
    text: str
    kind: str
    limiting: bool
    counts: list[tuple[str, int]]  # (label, how many), best first
    agreement: float | None


@dataclass
class SessionFigures:
    submitted: int
    overall: list[tuple[str, int]]
    overall_agreement: float | None
    criteria: list[CriterionSpread]
    kappa_criteria: float | None


def session_figures(session: CalibrationSession, participants: list[CalibrationParticipant]) -> SessionFigures:
    """Two queries: the participants (given) and their judgements with criteria."""
    done = [p for p in participants if p.submitted_at]
    grades = [p.overall_grade for p in done]
    overall = [(Grade(g).label, grades.count(g)) for g in reversed(GRADE_VALUES)]
    by_criterion: dict[int, list] = defaultdict(list)
    criteria = {}
    for j in CalibrationJudgement.objects.filter(participant__in=[p.pk for p in done]).select_related("criterion"):
        criteria[j.criterion_id] = j.criterion
        by_criterion[j.criterion_id].append(j.grade if j.criterion.kind == CriterionKind.GRADED else j.answer)
    spreads, kappa_rows = [], []
    for cid, c in sorted(criteria.items(), key=lambda kv: kv[1].order):
        answers = by_criterion[cid]
        if c.kind == CriterionKind.GRADED:
            counts = [(Grade(g).label, answers.count(g)) for g in reversed(GRADE_VALUES)]
            kappa_rows.append([answers.count(g) for g in GRADE_VALUES])
        else:
            counts = [("Yes", answers.count(True)), ("No", answers.count(False))]
        spreads.append(CriterionSpread(c.text, c.kind, c.limiting, counts, pairwise_agreement(answers)))
    return SessionFigures(
        submitted=len(done),
        overall=overall,
        overall_agreement=pairwise_agreement(grades),
        criteria=spreads,
        kappa_criteria=fleiss_kappa(kappa_rows) if len(kappa_rows) > 1 else None,
    )


def fleiss_kappa_varying(rows: list[list[int]]) -> float | None:
    """Fleiss' kappa where subjects may have different numbers of raters (each at least two):
    P_i per subject with its own n_i, category shares over all ratings. Equals fleiss_kappa
    when every subject has the same raters."""
    rows = [r for r in rows if sum(r) >= 2]
    if not rows:
        return None
    total = sum(sum(r) for r in rows)
    p_j = [sum(r[j] for r in rows) / total for j in range(len(rows[0]))]
    p_i = [(sum(c * c for c in r) - sum(r)) / (sum(r) * (sum(r) - 1)) for r in rows]
    p_bar = sum(p_i) / len(rows)
    p_e = sum(p * p for p in p_j)
    return None if p_e >= 1 else (p_bar - p_e) / (1 - p_e)


@dataclass
class RegionYear:
    region: Region
    sessions: int
    target: int
    kappa: float | None

    @property
    def on_track(self) -> bool:
        return self.sessions >= self.target


def yearly_list(year: int, regions) -> list[RegionYear]:
    """Sessions held per region in the calendar year against four, with Fleiss' kappa over the
    overall grades of those sessions (two queries)."""
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    held = dict(
        CalibrationSession.objects.filter(held_on__gte=start, held_on__lte=end)
        .values_list("region_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    cells = (
        CalibrationParticipant.objects.filter(
            session__held_on__gte=start, session__held_on__lte=end, submitted_at__isnull=False
        )
        .values_list("session__region_id", "session_id", "overall_grade")
        .annotate(n=Count("pk", filter=Q(submitted_at__isnull=False)))
        .order_by()
    )
    tables: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0] * len(GRADE_VALUES)))
    for region_id, session_id, grade, n in cells:
        tables[region_id][session_id][GRADE_VALUES.index(grade)] += n
    return [
        RegionYear(r, held.get(r.pk, 0), SESSIONS_A_YEAR, fleiss_kappa_varying(list(tables[r.pk].values())))
        for r in regions
    ]
