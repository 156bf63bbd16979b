"""Roll-ups: recompute the KPI snapshot tables from the audit and case tables, set-based.

Both entry points run a handful of GROUP BY queries, merge their rows in Python by
(region, team, month) — a few thousand keys at most, never one per audit — and upsert
with `bulk_create(update_conflicts=True)` on each table's natural key, then delete the
rows of the scope that the run did not write (a slice that lost its last audit). All of
it in one transaction, so running twice, or again after a crash halfway, gives the same
rows. Every written row carries the run's `computed_at`.

- `rollup_slice(region_id=, month=)`: one region and month (what a completed audit touches).
- `rollup_all()`: everything (the nightly job and `rollup_kpis --full`).

Where a figure comes from:
- audits: completed audits by month of `completed_on`, in the region and team copied onto
  the audit at completion (so a case re-allocated later never moves its history), counted
  by `final_grade`; family feedback from `family_feedback`; moderated = a completed
  moderation, agreeing when its grade equals the auditor's `overall_grade`.
- criteria: graded judgements of those audits by `Criterion.code` (stable across versions).
- cases (by the case's current region and team): care (`s31_care`) and private law cases
  by month received, allocated or not, with working days to allocate; section 7 reports by
  month due, on time when filed on or before the due date.
- feedback: by month received, in the region and team copied onto it from its case; counts,
  helpfulness (count and sum of answers 0–10) and "did your worker help you?" (answers, yes).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from audits.models import Audit, AuditStatus, Criterion, Grade, Judgement
from cases.kpis import working_days_between  # the working-day rule (England and Wales bank holidays)
from cases.models import ApplicationType, Case, LawType
from feedback.models import Feedback

from .models import CriterionSnapshot, KpiSnapshot, ModerationSnapshot

FEEDBACK_FIELDS = [
    "feedback_count",
    "feedback_helpfulness_count",
    "feedback_helpfulness_sum",
    "feedback_worker_helped_count",
    "feedback_worker_helped_yes",
]


KPI_COUNT_FIELDS = [
    "audits",
    "outstanding",
    "good",
    "meets_standard",
    "requires_improvement",
    "family_feedback",
    "moderated",
    "moderated_agree",
    "care_received",
    "care_allocated",
    "care_working_days_sum",
    "private_received",
    "private_allocated",
    "s7_due",
    "s7_on_time",
    *FEEDBACK_FIELDS,
]
KPI_UPDATE_FIELDS = [*KPI_COUNT_FIELDS, "computed_at"]
BATCH = 2000


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def _as_date(value) -> datetime.date:
    """TruncMonth of a DateField gives a date on both backends; be safe with datetimes."""
    return value.date() if isinstance(value, datetime.datetime) else value


@dataclass
class _Scope:
    """None/None = everything; otherwise one region and one month."""

    region_id: int | None = None
    month: datetime.date | None = None

    def filter(self, *, region: str, date: str) -> Q:
        if self.region_id is None:
            return Q()
        return Q(**{region: self.region_id, f"{date}__gte": self.month, f"{date}__lt": next_month(self.month)})


@dataclass
class _Result:
    kpis: dict = field(default_factory=lambda: defaultdict(lambda: dict.fromkeys(KPI_COUNT_FIELDS, 0)))
    moderation: dict = field(default_factory=dict)


def _completed_audits(scope: _Scope):
    in_scope = scope.filter(region="region_id", date="completed_on")
    return Audit.objects.filter(status=AuditStatus.COMPLETED).filter(in_scope)


def _moderated() -> Q:
    return Q(moderation__completed_at__isnull=False, moderation__grade__isnull=False)


def _collect_audits(scope: _Scope, result: _Result) -> None:
    # 1. Audits by final grade, family feedback and moderation agreement: one GROUP BY
    #    (the moderation join is one-to-one, so it never multiplies rows).
    rows = (
        _completed_audits(scope)
        .annotate(m=TruncMonth("completed_on"))
        .values("region_id", "team_id", "m")
        .annotate(
            audits=Count("id"),
            outstanding=Count("id", filter=Q(final_grade=Grade.OUTSTANDING)),
            good=Count("id", filter=Q(final_grade=Grade.GOOD)),
            meets_standard=Count("id", filter=Q(final_grade=Grade.MEETS_STANDARD)),
            requires_improvement=Count("id", filter=Q(final_grade=Grade.REQUIRES_IMPROVEMENT)),
            family_feedback=Count("id", filter=Q(family_feedback=True)),
            moderated=Count("id", filter=_moderated()),
            moderated_agree=Count("id", filter=_moderated() & Q(moderation__grade=F("overall_grade"))),
        )
        .order_by()
    )
    names = ["audits", "outstanding", "good", "meets_standard", "requires_improvement", "family_feedback"]
    names += ["moderated", "moderated_agree"]
    for row in rows:
        target = result.kpis[(row["region_id"], row["team_id"], _as_date(row["m"]))]
        for name in names:
            target[name] = row[name]

    # 2. The 4×4 table of auditor's grade × moderator's grade, for Cohen's kappa.
    cells = (
        _completed_audits(scope)
        .filter(_moderated())
        .annotate(m=TruncMonth("completed_on"))
        .values("region_id", "team_id", "m", "overall_grade", "moderation__grade")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in cells:
        key = (row["region_id"], row["team_id"], _as_date(row["m"]), row["overall_grade"], row["moderation__grade"])
        result.moderation[key] = row["n"]


def _cumulative_working_days(dates) -> dict[datetime.date, int]:
    """W(d) with W(b) - W(a) = working_days_between(a, b): sums over cases become sums over dates."""
    out, previous, total = {}, None, 0
    for day in sorted(set(dates)):
        if previous is not None:
            total += working_days_between(previous, day)
        out[day] = total
        previous = day
    return out


def _collect_cases(scope: _Scope, result: _Result) -> None:
    received = Case.objects.filter(scope.filter(region="region_id", date="received_on"))
    care = Q(application_type=ApplicationType.S31_CARE)
    private = Q(law_type=LawType.PRIVATE)
    allocated = Q(allocated_on__isnull=False)
    # 4. Care and private law cases by month received.
    rows = (
        received.filter(care | private)
        .annotate(m=TruncMonth("received_on"))
        .values("region_id", "team_id", "m")
        .annotate(
            care_received=Count("id", filter=care),
            care_allocated=Count("id", filter=care & allocated),
            private_received=Count("id", filter=private),
            private_allocated=Count("id", filter=private & allocated),
        )
        .order_by()
    )
    for row in rows:
        target = result.kpis[(row["region_id"], row["team_id"], _as_date(row["m"]))]
        for name in ["care_received", "care_allocated", "private_received", "private_allocated"]:
            target[name] = row[name]

    # 5. Working days to allocate care cases: sum of W(allocated_on) - W(received_on), grouped by
    #    date rather than by case (at most one row per team and day).
    allocated_care = received.filter(care & allocated).annotate(m=TruncMonth("received_on")).order_by()
    by_allocated = list(allocated_care.values("region_id", "team_id", "m", "allocated_on").annotate(n=Count("id")))
    by_received = list(allocated_care.values("region_id", "team_id", "m", "received_on").annotate(n=Count("id")))
    cumulative = _cumulative_working_days(
        [r["allocated_on"] for r in by_allocated] + [r["received_on"] for r in by_received]
    )
    for rows, day_field, sign in [(by_allocated, "allocated_on", 1), (by_received, "received_on", -1)]:
        for row in rows:
            target = result.kpis[(row["region_id"], row["team_id"], _as_date(row["m"]))]
            target["care_working_days_sum"] += sign * row["n"] * cumulative[row[day_field]]

    # 6. Section 7 reports by month due.
    rows = (
        Case.objects.filter(application_type=ApplicationType.SECTION_7, report_due_on__isnull=False)
        .filter(scope.filter(region="region_id", date="report_due_on"))
        .annotate(m=TruncMonth("report_due_on"))
        .values("region_id", "team_id", "m")
        .annotate(
            s7_due=Count("id"),
            s7_on_time=Count("id", filter=Q(report_filed_on__isnull=False, report_filed_on__lte=F("report_due_on"))),
        )
        .order_by()
    )
    for row in rows:
        target = result.kpis[(row["region_id"], row["team_id"], _as_date(row["m"]))]
        target["s7_due"] = row["s7_due"]
        target["s7_on_time"] = row["s7_on_time"]


def _collect_feedback(scope: _Scope, result: _Result) -> None:
    # 7. Feedback by month received, in the region and team copied onto it from its case when
    #    it arrived (feedback with no case has no region and counts in no regional row).
    rows = (
        Feedback.objects.filter(region_id__isnull=False, team_id__isnull=False)
        .filter(scope.filter(region="region_id", date="received_on"))
        .annotate(m=TruncMonth("received_on"))
        .values("region_id", "team_id", "m")
        .annotate(
            feedback_count=Count("id"),
            feedback_helpfulness_count=Count("helpfulness"),
            feedback_helpfulness_sum=Sum("helpfulness"),
            feedback_worker_helped_count=Count("worker_helped"),
            feedback_worker_helped_yes=Count("id", filter=Q(worker_helped=True)),
        )
        .order_by()
    )
    for row in rows:
        target = result.kpis[(row["region_id"], row["team_id"], _as_date(row["m"]))]
        for name in FEEDBACK_FIELDS:
            target[name] = row[name] or 0


def _write(scope: _Scope, result: _Result, now) -> int:
    kpi_rows = [
        KpiSnapshot(region_id=r, team_id=t, month=m, computed_at=now, **counts)
        for (r, t, m), counts in result.kpis.items()
        if any(counts.values())
    ]
    KpiSnapshot.objects.bulk_create(
        kpi_rows,
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=["region", "team", "month"],
        update_fields=KPI_UPDATE_FIELDS,
    )
    ModerationSnapshot.objects.bulk_create(
        [
            ModerationSnapshot(
                region_id=r, team_id=t, month=m, auditor_grade=a, moderator_grade=g, count=n, computed_at=now
            )
            for (r, t, m, a, g), n in result.moderation.items()
        ],
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=["region", "team", "month", "auditor_grade", "moderator_grade"],
        update_fields=["count", "computed_at"],
    )
    # Rows of the scope this run did not write have lost their data: remove them. (A run
    # started later writes a later computed_at, so a concurrent newer run is never undone.)
    stale = Q(computed_at__lt=now)
    if scope.region_id is not None:
        stale &= Q(region_id=scope.region_id, month=scope.month)
    for model in (KpiSnapshot, CriterionSnapshot, ModerationSnapshot):
        model.objects.filter(stale).delete()
    return len(kpi_rows)


def _upsert_criteria(scope: _Scope, now) -> None:
    """Graded judgements by criterion code, aggregated and upserted inside the database.

    Ten times as many rows as the KPI table (one per criterion), so rather than bringing
    them into Python for bulk_create, one INSERT … SELECT … GROUP BY … ON CONFLICT DO UPDATE
    does it set-based. The inner SELECT is the ORM's own (so TruncMonth is right on
    PostgreSQL and SQLite), every column aliased so the outer statement can name them.
    """
    # Inner: counts per criterion id (narrow rows: no criterion text carried through the sort).
    per_criterion = (
        Judgement.objects.filter(audit__status=AuditStatus.COMPLETED, grade__isnull=False)
        .filter(scope.filter(region="audit__region_id", date="audit__completed_on"))
        .values(
            r=F("audit__region_id"),
            t=F("audit__team_id"),
            m=TruncMonth("audit__completed_on"),
            cid=F("criterion_id"),
        )
        .annotate(
            graded=Count("id"),
            below_good=Count("id", filter=Q(grade__lt=Grade.GOOD)),
            ri=Count("id", filter=Q(grade=Grade.REQUIRES_IMPROVEMENT)),
        )
        .order_by()
    )
    inner_sql, params = per_criterion.query.sql_with_params()
    quote = connection.ops.quote_name
    table, criteria = quote(CriterionSnapshot._meta.db_table), quote(Criterion._meta.db_table)
    # Outer: the versions of one criterion share a code; sum them. "WHERE 1 = 1": SQLite needs
    # a WHERE before ON CONFLICT in an INSERT … SELECT. Table names are ours; values are parameters.
    sql = (
        f"INSERT INTO {table} (region_id, team_id, month, criterion_code, criterion_text, "  # noqa: S608
        "graded, below_good, requires_improvement, computed_at) "
        "SELECT s.r, s.t, s.m, c.code, COALESCE(MAX(c.text), ''), SUM(s.graded), SUM(s.below_good), SUM(s.ri), %s "
        f"FROM ({inner_sql}) s INNER JOIN {criteria} c ON c.id = s.cid "
        "WHERE 1 = 1 GROUP BY s.r, s.t, s.m, c.code "
        "ON CONFLICT (region_id, team_id, month, criterion_code) DO UPDATE SET "
        "criterion_text = EXCLUDED.criterion_text, graded = EXCLUDED.graded, below_good = EXCLUDED.below_good, "
        "requires_improvement = EXCLUDED.requires_improvement, computed_at = EXCLUDED.computed_at"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [connection.ops.adapt_datetimefield_value(now), *params])


def _run(scope: _Scope) -> int:
    with transaction.atomic():
        now = timezone.now()
        result = _Result()
        _collect_audits(scope, result)
        _collect_cases(scope, result)
        _collect_feedback(scope, result)
        _upsert_criteria(scope, now)
        return _write(scope, result, now)


def rollup_slice(*, region_id: int, month: datetime.date) -> int:
    """Recompute every (region, team, month) snapshot row of one region and month; returns rows written."""
    return _run(_Scope(region_id=region_id, month=month_start(month)))


def rollup_all() -> int:
    """Rebuild every snapshot row from the source tables; returns the KPI rows written."""
    return _run(_Scope())
