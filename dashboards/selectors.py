"""Reads of the KPI snapshots that pages, the API and improvement plans share.

Every figure is a sum of snapshot counts over the rows of its window and scope,
divided at the end: never an average of percentages.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Max, Sum

from . import stats
from .models import CriterionSnapshot, KpiSnapshot, ModerationSnapshot

# The count columns of a snapshot row (forward fields only: this module is imported while
# models load, when the reverse-relation tree is not ready).
COUNT_FIELDS = [f.name for f in KpiSnapshot._meta.fields if f.get_internal_type() == "PositiveIntegerField"]


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str
    numerator: tuple[str, ...]
    denominator: str
    unit: str = "%"  # "%" multiplies by 100; "days" is a plain mean


# The KPIs a success measure or a page may name. Numerators are sums of one or more fields.
KPIS = {
    k.key: k
    for k in [
        Kpi("good_or_better_pct", "Audits graded good or better", ("outstanding", "good"), "audits"),
        Kpi("outstanding_pct", "Audits graded outstanding", ("outstanding",), "audits"),
        Kpi("requires_improvement_pct", "Audits graded requires improvement", ("requires_improvement",), "audits"),
        Kpi("family_feedback_pct", "Audits informed by family feedback", ("family_feedback",), "audits"),
        Kpi("moderation_agreement_pct", "Moderated audits where the grades agreed", ("moderated_agree",), "moderated"),
        Kpi("care_allocated_pct", "Care cases allocated", ("care_allocated",), "care_received"),
        Kpi(
            "care_working_days_to_allocate",
            "Working days to allocate care cases",
            ("care_working_days_sum",),
            "care_allocated",
            unit="days",
        ),
        Kpi("private_allocated_pct", "Private law cases allocated", ("private_allocated",), "private_received"),
        Kpi("s7_on_time_pct", "Section 7 reports filed on time", ("s7_on_time",), "s7_due"),
        Kpi(
            "feedback_worker_helped_pct",
            "Feedback saying the worker helped",
            ("feedback_worker_helped_yes",),
            "feedback_worker_helped_count",
        ),
    ]
}
KPI_CHOICES = [(k.key, k.label) for k in KPIS.values()]


@dataclass(frozen=True)
class KpiValue:
    kpi: str
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        """The percentage (0–100), or the mean for a days KPI; None where nothing was counted."""
        if not self.denominator:
            return None
        ratio = self.numerator / self.denominator
        return ratio * 100 if KPIS[self.kpi].unit == "%" else ratio


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def snapshots(*, start: datetime.date, end: datetime.date, region_code: str | None = None):
    """Snapshot rows for months from start's month to end's month inclusive."""
    qs = KpiSnapshot.objects.filter(month__gte=month_start(start), month__lte=month_start(end))
    if region_code:
        qs = qs.filter(region__code=region_code)
    return qs


def kpi_value(kpi: str, *, start: datetime.date, end: datetime.date, region_code: str | None = None) -> KpiValue:
    """One KPI summed over a window and scope (None = national). One query."""
    spec = KPIS[kpi]
    fields = set(spec.numerator) | {spec.denominator}
    totals = snapshots(start=start, end=end, region_code=region_code).aggregate(**{f: Sum(f) for f in fields})
    numerator = sum(totals[f] or 0 for f in spec.numerator)
    return KpiValue(kpi=kpi, numerator=numerator, denominator=totals[spec.denominator] or 0)


def kpi_monthly(
    kpi: str, *, start: datetime.date, end: datetime.date, region_code: str | None = None
) -> list[tuple[datetime.date, KpiValue]]:
    """One KPI month by month over a window (months with no rows are left out). One query."""
    spec = KPIS[kpi]
    fields = set(spec.numerator) | {spec.denominator}
    rows = (
        snapshots(start=start, end=end, region_code=region_code)
        .values("month")
        .annotate(**{f: Sum(f) for f in fields})
        .order_by("month")
    )
    return [
        (
            row["month"],
            KpiValue(
                kpi=kpi, numerator=sum(row[f] or 0 for f in spec.numerator), denominator=row[spec.denominator] or 0
            ),
        )
        for row in rows
    ]


def computed_at():
    """When the newest snapshot row was computed ("figures as of …"); None before any roll-up."""
    return KpiSnapshot.objects.aggregate(at=Max("computed_at"))["at"]


# ---- figures for the pages and the API ---------------------------------------------------
# Each helper below is ONE query over the snapshot tables, whatever the number of audits.


def _sums():
    return {f: Sum(f) for f in COUNT_FIELDS}


def _window(qs, *, first: datetime.date, last: datetime.date, region_id=None, team_id=None):
    qs = qs.filter(month__gte=first, month__lte=last)
    if region_id is not None:
        qs = qs.filter(region_id=region_id)
    if team_id is not None:
        qs = qs.filter(team_id=team_id)
    return qs


def _counts(row) -> dict:
    return {f: (row.get(f) or 0) for f in COUNT_FIELDS}


def totals_by(
    group: str, *, first: datetime.date, last: datetime.date, region_id=None, team_id=None
) -> dict[object, dict]:
    """Summed counts grouped by "region_id", "team_id" or "month" over the window."""
    rows = (
        _window(KpiSnapshot.objects, first=first, last=last, region_id=region_id, team_id=team_id)
        .values(group)
        .annotate(**_sums())
        .order_by(group)
    )
    return {row[group]: _counts(row) for row in rows}


def totals(*, first: datetime.date, last: datetime.date, region_id=None, team_id=None) -> dict:
    """Summed counts over the window and scope (None = national)."""
    row = _window(KpiSnapshot.objects, first=first, last=last, region_id=region_id, team_id=team_id).aggregate(
        **_sums()
    )
    return _counts(row)


def add_counts(rows) -> dict:
    """Sum count dicts (national = the sum of the regions; never an average of percentages)."""
    out = dict.fromkeys(COUNT_FIELDS, 0)
    for row in rows:
        for f in COUNT_FIELDS:
            out[f] += row.get(f, 0)
    return out


def weakest_criteria(
    *, first: datetime.date, last: datetime.date, region_id=None, team_id=None, limit: int = 5
) -> list[dict]:
    """Criteria most often graded below Good (by share, then count) over the window."""
    rows = (
        _window(CriterionSnapshot.objects, first=first, last=last, region_id=region_id, team_id=team_id)
        .values("criterion_code")
        .annotate(
            text=Max("criterion_text"),
            graded=Sum("graded"),
            below_good=Sum("below_good"),
            requires_improvement=Sum("requires_improvement"),
        )
        .order_by()
    )
    out = []
    for row in rows:
        row["below_good_pct"] = stats.percent(row["below_good"], row["graded"])
        out.append(row)
    out.sort(key=lambda r: (-(r["below_good_pct"] or 0), -r["below_good"], r["criterion_code"]))
    return [r for r in out if r["below_good"]][:limit]


def moderation_table(
    *, first: datetime.date, last: datetime.date, region_id=None, team_id=None
) -> dict[tuple[int, int], int]:
    """{(auditor's grade, moderator's grade): count} over the window."""
    rows = (
        _window(ModerationSnapshot.objects, first=first, last=last, region_id=region_id, team_id=team_id)
        .values("auditor_grade", "moderator_grade")
        .annotate(n=Sum("count"))
        .order_by()
    )
    return {(r["auditor_grade"], r["moderator_grade"]): r["n"] for r in rows}


def snapshot_status() -> dict:
    """When the figures were computed and the newest month that has any; one query."""
    return KpiSnapshot.objects.aggregate(computed_at=Max("computed_at"), latest_month=Max("month"))


def figures(counts: dict, places: int | None = 1) -> dict:
    """Percentages, means and the Wilson interval from summed counts (the API's FIGURES).

    Rounded to `places` decimals for display; `places=None` keeps them exact (the API).
    """

    def _round(value):
        return value if value is None or places is None else round(value, places)

    audits = counts["audits"]
    good_or_better = counts["outstanding"] + counts["good"]
    interval = stats.wilson(good_or_better, audits)
    return {
        "audits": audits,
        "outstanding": counts["outstanding"],
        "good": counts["good"],
        "meets_standard": counts["meets_standard"],
        "requires_improvement": counts["requires_improvement"],
        "good_or_better": good_or_better,
        "good_or_better_pct": _round(stats.percent(good_or_better, audits)),
        "good_or_better_ci95": None if interval is None else [_round(interval[0]), _round(interval[1])],
        "family_feedback": counts["family_feedback"],
        "family_feedback_pct": _round(stats.percent(counts["family_feedback"], audits)),
        "moderated": counts["moderated"],
        "moderated_agree": counts["moderated_agree"],
        "care_received": counts["care_received"],
        "care_allocated": counts["care_allocated"],
        "care_allocated_pct": _round(stats.percent(counts["care_allocated"], counts["care_received"])),
        "care_working_days_to_allocate": _round(
            counts["care_working_days_sum"] / counts["care_allocated"] if counts["care_allocated"] else None
        ),
        "private_received": counts["private_received"],
        "private_allocated": counts["private_allocated"],
        "private_allocated_pct": _round(stats.percent(counts["private_allocated"], counts["private_received"])),
        "s7_due": counts["s7_due"],
        "s7_on_time": counts["s7_on_time"],
        "s7_on_time_pct": _round(stats.percent(counts["s7_on_time"], counts["s7_due"])),
    }
