"""Reads of the KPI snapshots that pages, the API and improvement plans share.

Every figure is a sum of snapshot counts over the rows of its window and scope,
divided at the end: never an average of percentages. They read from the database alias
settings.DASHBOARD_READ_DATABASE: the read replica when DATABASE_REPLICA_URL names one
(figures may then lag the primary by the replication delay), else "default".
"""

import datetime
import re
from dataclasses import dataclass

from django.conf import settings
from django.db.models import DateTimeField, Max, Q, Subquery, Sum

from . import models, stats
from .periods import month_start


def _read(model):
    """The snapshot table's rows on the alias dashboards read from (the replica, if any)."""
    return model.objects.using(getattr(settings, "DASHBOARD_READ_DATABASE", "default"))


# The count columns of a snapshot row (forward fields only: this module is imported while
# models load, when the reverse-relation tree is not ready).
def _count_fields(model) -> list[str]:
    return [f.name for f in model._meta.fields if f.get_internal_type() == "PositiveIntegerField"]


COUNT_FIELDS = _count_fields(models.KpiSnapshot)


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

# ---- criterion KPIs: one audit criterion's % good or better --------------------------------
# Keyed "criterion:<code>" by the criterion's stable code, so a measure follows the criterion
# across template versions (CriterionSnapshot sums the versions, which share the code).

CRITERION_PREFIX = "criterion:"
_CODE = re.compile(r"[-a-zA-Z0-9_]+\Z")
CRITERION_KPI_GROUP = "Audit criteria: % good or better"


def criterion_kpi(code: str) -> str:
    return f"{CRITERION_PREFIX}{code}"


def is_criterion_kpi(key: str) -> bool:
    """Whether the key has the criterion form (any slug code; whether it exists is is_known_kpi's)."""
    return bool(key) and key.startswith(CRITERION_PREFIX) and bool(_CODE.match(key[len(CRITERION_PREFIX) :]))


def criterion_code(key: str) -> str:
    return key[len(CRITERION_PREFIX) :]


def is_kpi(key: str) -> bool:
    """A key a measure may be bound to, judged from its form alone (no query)."""
    return key in KPIS or is_criterion_kpi(key)


def is_known_kpi(key: str) -> bool:
    """A registry KPI, or a criterion key whose code has been graded (has criterion snapshot rows).

    Read from the snapshots, like every page: improvement plans never reach the audit tables, even
    through this module. One query for a criterion key, none otherwise.
    """
    if key in KPIS:
        return True
    if not is_criterion_kpi(key):
        return False
    return _read(models.CriterionSnapshot).filter(criterion_code=criterion_code(key)).exists()


def criterion_kpi_choices() -> list[tuple[str, str]]:
    """(key, criterion text) of every criterion code the roll-ups have counted gradings of, by text.

    One query. Versions of a criterion share its code and appear once, with the greatest text
    (as the roll-up picks one per slice), so the choice does not flicker between versions.
    """
    rows = _read(models.CriterionSnapshot).values("criterion_code").annotate(text=Max("criterion_text")).order_by()
    choices = [(criterion_kpi(r["criterion_code"]), r["text"] or r["criterion_code"]) for r in rows]
    return sorted(choices, key=lambda c: (c[1].casefold(), c[0]))


def kpi_unit(key: str) -> str:
    """The unit, "%" or "days"; a criterion KPI is a percentage."""
    return "%" if is_criterion_kpi(key) else KPIS[key].unit


def kpi_label(key: str, text: str = "") -> str:
    """What the figure is. For a criterion, its text where the caller has it (this reads no table)."""
    if is_criterion_kpi(key):
        about = f"“{text}”" if text else f"criterion {criterion_code(key)}"
        return f"Audits graded good or better on {about}"
    return KPIS[key].label


@dataclass(frozen=True)
class CriterionCounts:
    good_or_better: int
    graded: int
    text: str


def criterion_counts(
    *, codes, start: datetime.date, end: datetime.date, region_ids=None
) -> dict[tuple[str, int, datetime.date], CriterionCounts]:
    """Graded judgements of criteria, and those good or better (graded - below_good), by
    (criterion code, region id, month) over the months from start's to end's. One query.

    `region_ids=None` reads every region (a national figure is the sum of them).
    """
    qs = _months(models.CriterionSnapshot, start, end).filter(criterion_code__in=list(codes))
    if region_ids is not None:
        qs = qs.filter(region_id__in=list(region_ids))
    rows = (
        qs.values("criterion_code", "region_id", "month")
        .annotate(graded_sum=Sum("graded"), below_good_sum=Sum("below_good"), text=Max("criterion_text"))
        .order_by()
    )
    return {
        (r["criterion_code"], r["region_id"], r["month"]): CriterionCounts(
            good_or_better=r["graded_sum"] - r["below_good_sum"], graded=r["graded_sum"], text=r["text"] or ""
        )
        for r in rows
    }


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
        return ratio * 100 if kpi_unit(self.kpi) == "%" else ratio


def snapshots(*, start: datetime.date, end: datetime.date, region_code: str | None = None):
    """Snapshot rows for months from start's month to end's month inclusive."""
    qs = _months(models.KpiSnapshot, start, end)
    if region_code:
        qs = qs.filter(region__code=region_code)
    return qs


def _criterion_snapshots(kpi: str, *, start: datetime.date, end: datetime.date, region_code: str | None):
    qs = _months(models.CriterionSnapshot, start, end).filter(criterion_code=criterion_code(kpi))
    return qs.filter(region__code=region_code) if region_code else qs


def kpi_value(kpi: str, *, start: datetime.date, end: datetime.date, region_code: str | None = None) -> KpiValue:
    """One KPI (or a criterion KPI) summed over a window and scope (None = national). One query."""
    if is_criterion_kpi(kpi):
        totals = _criterion_snapshots(kpi, start=start, end=end, region_code=region_code).aggregate(
            graded=Sum("graded"), below_good=Sum("below_good")
        )
        graded = totals["graded"] or 0
        return KpiValue(kpi=kpi, numerator=graded - (totals["below_good"] or 0), denominator=graded)
    spec = KPIS[kpi]
    fields = set(spec.numerator) | {spec.denominator}
    totals = snapshots(start=start, end=end, region_code=region_code).aggregate(**{f: Sum(f) for f in fields})
    numerator = sum(totals[f] or 0 for f in spec.numerator)
    return KpiValue(kpi=kpi, numerator=numerator, denominator=totals[spec.denominator] or 0)


def kpi_monthly(
    kpi: str, *, start: datetime.date, end: datetime.date, region_code: str | None = None
) -> list[tuple[datetime.date, KpiValue]]:
    """One KPI (or criterion KPI) month by month over a window (months with no rows are left out). One query."""
    if is_criterion_kpi(kpi):
        rows = (
            _criterion_snapshots(kpi, start=start, end=end, region_code=region_code)
            .values("month")
            .annotate(graded_sum=Sum("graded"), below_good_sum=Sum("below_good"))
            .order_by("month")
        )
        return [
            (
                r["month"],
                KpiValue(kpi=kpi, numerator=r["graded_sum"] - r["below_good_sum"], denominator=r["graded_sum"]),
            )
            for r in rows
        ]
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


def _last_run():
    newest = _read(models.RollupRun).order_by("-finished_at").values("finished_at")[:1]
    return Max(Subquery(newest, output_field=DateTimeField()))


def _newest(*moments):
    known = [m for m in moments if m is not None]
    return max(known) if known else None


def computed_at():
    """When the figures were last computed or checked ("figures as of …"): the newest roll-up run
    or snapshot row; None before any roll-up. One query."""
    row = _read(models.KpiSnapshot).aggregate(at=Max("computed_at"), run=_last_run())
    return _newest(row["at"], row["run"])


# ---- figures for the pages and the API ---------------------------------------------------
# Each helper below is ONE query over the snapshot tables, whatever the number of audits.


def _sums():
    return {f: Sum(f) for f in COUNT_FIELDS}


def _months(model, start: datetime.date, end: datetime.date):
    """The model's snapshot rows (on the read alias) for the months from start's to end's, both included."""
    return _read(model).filter(month__gte=month_start(start), month__lte=month_start(end))


def _window(model, *, first: datetime.date, last: datetime.date, region_id=None, team_id=None):
    """The model's rows over the months and, where given, in the region and team."""
    qs = _months(model, first, last)
    if region_id is not None:
        qs = qs.filter(region_id=region_id)
    if team_id is not None:
        qs = qs.filter(team_id=team_id)
    return qs


def _counts(row) -> dict:
    return {f: (row.get(f) or 0) for f in COUNT_FIELDS}


@dataclass(frozen=True)
class AuditSelection:
    """Which completed audits the grade figures count. The default (neither set) is the routine
    audits (KpiSnapshot); a template slug counts every audit on that template, routine or in a
    programme; a programme id counts that programme's audits only (both: the two together)."""

    template: str | None = None
    programme: int | None = None

    @property
    def is_routine(self) -> bool:
        return self.template is None and self.programme is None

    def q(self) -> Q:
        q = Q()
        if self.template is not None:
            q &= Q(template_slug=self.template)
        if self.programme is not None:
            q &= Q(programme_key=self.programme)
        return q


ROUTINE = AuditSelection()
# The counts a selection replaces: the grade mix and family feedback. Moderation figures stay
# routine (zero under a selection), case and feedback KPIs do not depend on audits at all.
SELECTED_FIELDS = ["audits", "outstanding", "good", "meets_standard", "requires_improvement", "family_feedback"]
ROUTINE_ONLY_FIELDS = ["moderated", "moderated_agree"]


def _overlay(counts: dict, mix: dict) -> dict:
    out = dict(counts)
    for f in SELECTED_FIELDS:
        out[f] = mix.get(f) or 0
    for f in ROUTINE_ONLY_FIELDS:
        out[f] = 0
    return out


def _key(row: dict, groups: tuple[str, ...]) -> tuple:
    return tuple(row[g] for g in groups)


def _grouped(qs, groups: tuple[str, ...], sums: dict) -> list[dict]:
    """The sums per value of `groups` (one row of every sum with no groups); one query."""
    if not groups:
        return [qs.aggregate(**sums)]
    return list(qs.values(*groups).annotate(**sums).order_by(*groups))


def _routine_rows(groups: tuple[str, ...], window: dict) -> list[dict]:
    """Summed counts of routine audits per value of `groups` over the window; one query."""
    rows = _grouped(_window(models.KpiSnapshot, **window), groups, _sums())
    return [{**{g: row[g] for g in groups}, **_counts(row)} for row in rows]


def _selected_rows(rows: list[dict], groups: tuple[str, ...], window: dict, audits: AuditSelection) -> list[dict]:
    """`rows` with the selection's grade mix laid over them; no query for routine audits, else one."""
    if audits.is_routine:
        return rows
    mixes = _grouped(
        _window(models.TemplateSnapshot, **window).filter(audits.q()),
        groups,
        {f: Sum(f) for f in SELECTED_FIELDS},
    )
    mix_by = {_key(mix, groups): mix for mix in mixes}
    by = {_key(row, groups): row for row in rows}
    empty = dict.fromkeys(COUNT_FIELDS, 0)
    return [
        {**dict(zip(groups, key, strict=True)), **_overlay(_counts(by.get(key, empty)), mix_by.get(key, {}))}
        for key in sorted({*by, *mix_by})
    ]


def totals_by(
    group: str,
    *,
    first: datetime.date,
    last: datetime.date,
    region_id=None,
    team_id=None,
    audits: AuditSelection = ROUTINE,
) -> dict[object, dict]:
    """Summed counts grouped by "region_id", "team_id" or "month" over the window (one query;
    two when `audits` selects a template or programme)."""
    window = {"first": first, "last": last, "region_id": region_id, "team_id": team_id}
    rows = _selected_rows(_routine_rows((group,), window), (group,), window, audits)
    return {row[group]: _counts(row) for row in rows}


def totals(
    *, first: datetime.date, last: datetime.date, region_id=None, team_id=None, audits: AuditSelection = ROUTINE
) -> dict:
    """Summed counts over the window and scope (None = national)."""
    window = {"first": first, "last": last, "region_id": region_id, "team_id": team_id}
    return add_counts(_selected_rows(_routine_rows((), window), (), window, audits))


@dataclass(frozen=True)
class PlaceTotals:
    """Summed counts of every region and team over a window, of routine audits and of the audits
    selected; any scope's totals are sums of these rows."""

    routine: list[dict]
    selected: list[dict]

    def by(self, group: str, *, routine: bool = False, **where) -> dict[int, dict]:
        """{region id or team id: counts} over the rows matching `where` (region_id=…)."""
        out: dict[int, dict] = {}
        for row in self.routine if routine else self.selected:
            if all(row[name] == value for name, value in where.items()):
                out[row[group]] = add_counts([out.get(row[group], {}), row])
        return out

    def total(self, **where) -> dict:
        """The selected audits' counts over the rows matching `where`; national with no `where`."""
        return add_counts(row for row in self.selected if all(row[name] == value for name, value in where.items()))


def place_totals(*, first: datetime.date, last: datetime.date, audits: AuditSelection = ROUTINE) -> PlaceTotals:
    """Counts per (region, team) over the window: one query, two when `audits` selects."""
    groups = ("region_id", "team_id")
    window = {"first": first, "last": last}
    routine = _routine_rows(groups, window)
    return PlaceTotals(routine, _selected_rows(routine, groups, window, audits))


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
        _window(models.CriterionSnapshot, first=first, last=last, region_id=region_id, team_id=team_id)
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
        _window(models.ModerationSnapshot, first=first, last=last, region_id=region_id, team_id=team_id)
        .values("auditor_grade", "moderator_grade")
        .annotate(n=Sum("count"))
        .order_by()
    )
    return {(r["auditor_grade"], r["moderator_grade"]): r["n"] for r in rows}


def snapshot_status() -> dict:
    """When the figures were computed (see computed_at) and the newest month that has any; one query."""
    row = _read(models.KpiSnapshot).aggregate(
        computed_at=Max("computed_at"), latest_month=Max("month"), run=_last_run()
    )
    return {"computed_at": _newest(row["computed_at"], row.pop("run")), "latest_month": row["latest_month"]}


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


# ---- the seeds' measures: criteria (graded and yes/no), feedback by respondent -------------


def criterion_results(
    *, first: datetime.date, last: datetime.date, template_slug: str | None = None, team_id=None
) -> list[dict]:
    """Judgement counts by (criterion code, region id) over the window (one team's, if given); one query.

    Each row: criterion_code, region_id, kind, text, graded, good_or_better, meets_or_better,
    answered, yes. A national figure is the sum of a code's rows.
    """
    qs = _window(models.CriterionResultSnapshot, first=first, last=last, team_id=team_id)
    if template_slug:
        qs = qs.filter(template_slug=template_slug)
    return list(
        qs.values("criterion_code", "region_id")
        .annotate(
            kind=Max("kind"),
            text=Max("criterion_text"),
            template=Max("template_slug"),
            graded=Sum("graded"),
            good_or_better=Sum("good_or_better"),
            meets_or_better=Sum("meets_or_better"),
            answered=Sum("answered"),
            yes=Sum("yes"),
        )
        .order_by("criterion_code", "region_id")
    )


CRITERION_RESULT_COUNTS = ("graded", "good_or_better", "meets_or_better", "answered", "yes")


def criteria_by_code(rows: list[dict], region_ids=None) -> dict[str, dict]:
    """{code: {"kind", "text", "template", "regions": {region id: counts}, "total": counts}} from
    `criterion_results` rows; `region_ids` limits the per-region entries (the total is always all)."""
    out: dict[str, dict] = {}
    for row in rows:
        entry = out.setdefault(
            row["criterion_code"],
            {
                "kind": row["kind"],
                "text": row["text"] or row["criterion_code"],
                "template": row["template"],
                "regions": {},
                "total": dict.fromkeys(CRITERION_RESULT_COUNTS, 0),
            },
        )
        counts = {name: row[name] or 0 for name in CRITERION_RESULT_COUNTS}
        for name in CRITERION_RESULT_COUNTS:
            entry["total"][name] += counts[name]
        if region_ids is None or row["region_id"] in region_ids:
            entry["regions"][row["region_id"]] = counts
    return out


def criterion_figure(kind: str, counts: dict | None) -> dict:
    """n, the percentage (good or better for graded, yes for yes/no) and its Wilson interval."""
    counts = counts or dict.fromkeys(CRITERION_RESULT_COUNTS, 0)
    if kind == "yes_no":
        k, n = counts["yes"], counts["answered"]
    else:
        k, n = counts["good_or_better"], counts["graded"]
    return {"n": n, "k": k, "pct": stats.percent(k, n), "ci95": stats.wilson(k, n)}


DIVERSITY_CODE = "diverse-needs"


def diversity(counts: dict | None) -> dict:
    """The seeds' diversity measure from the "diverse-needs" criterion: identified = graded above
    Requires improvement (needs identified at least to the standard), and of those, good analysis =
    graded Good or Outstanding."""
    counts = counts or dict.fromkeys(CRITERION_RESULT_COUNTS, 0)
    graded, identified, good = counts["graded"], counts["meets_or_better"], counts["good_or_better"]
    return {
        "graded": graded,
        "identified": identified,
        "identified_pct": stats.percent(identified, graded),
        "good_analysis": good,
        "good_analysis_pct": stats.percent(good, identified),
    }


FEEDBACK_COUNTS = tuple(_count_fields(models.FeedbackSnapshot))  # count, helpfulness_count, …


def feedback_by_respondent(
    *, first: datetime.date, last: datetime.date, region_id=None, team_id=None, group: str = "region_id"
) -> dict[tuple, dict]:
    """{(group value, respondent): counts} of feedback received over the window; one query."""
    rows = (
        _window(models.FeedbackSnapshot, first=first, last=last, region_id=region_id, team_id=team_id)
        .values(group, "respondent")
        .annotate(**{name: Sum(name) for name in FEEDBACK_COUNTS})
        .order_by()
    )
    return {(r[group], r["respondent"]): {name: r[name] or 0 for name in FEEDBACK_COUNTS} for r in rows}


def theme_counts(*, first: datetime.date, last: datetime.date) -> list[dict]:
    """Feedback tagged with each theme over the window, by region: [{"theme_id", "name",
    "by_region": {region_id: n}, "total"}] by name; one query. (A theme renamed since some slices
    were last rolled up shows one of its names until the nightly rebuild.)"""
    rows = (
        _window(models.ThemeSnapshot, first=first, last=last)
        .values("theme_id", "region_id")
        .annotate(name=Max("theme_name"), n=Sum("count"))
        .order_by()
    )
    themes: dict[int, dict] = {}
    for row in rows:
        entry = themes.setdefault(
            row["theme_id"], {"theme_id": row["theme_id"], "name": row["name"], "by_region": {}, "total": 0}
        )
        entry["name"] = max(entry["name"], row["name"])
        entry["by_region"][row["region_id"]] = row["n"]
        entry["total"] += row["n"]
    return sorted(themes.values(), key=lambda t: (t["name"].lower(), t["theme_id"]))


def feedback_counts_for(by_respondent: dict[tuple, dict], keys=None) -> dict[str, dict]:
    """{respondent: summed counts} over the group values in `keys` (None = all)."""
    out: dict[str, dict] = {}
    for (key, respondent), counts in by_respondent.items():
        if keys is not None and key not in keys:
            continue
        target = out.setdefault(respondent, dict.fromkeys(FEEDBACK_COUNTS, 0))
        for name in FEEDBACK_COUNTS:
            target[name] += counts[name]
    return out


def feedback_figures(by_type: dict[str, dict]) -> dict:
    """The API's "feedback" object: children's % who said their worker helped, adults' and judges'
    mean helpfulness (0–10), each with n = the answers it is over; % of everyone answering who
    understood the recommendation."""
    empty = dict.fromkeys(FEEDBACK_COUNTS, 0)
    child = by_type.get("child", empty)
    parent = by_type.get("parent_carer", empty)
    judge = by_type.get("judge", empty)
    understood = sum(c["understood_yes"] for c in by_type.values())
    answered = sum(c["understood_count"] for c in by_type.values())

    def mean(c):
        return c["helpfulness_sum"] / c["helpfulness_count"] if c["helpfulness_count"] else None

    return {
        "child": {
            "n": child["worker_helped_count"],
            "worker_helped_pct": stats.percent(child["worker_helped_yes"], child["worker_helped_count"]),
        },
        "parent_carer": {"n": parent["helpfulness_count"], "mean_helpfulness": mean(parent)},
        "judge": {"n": judge["helpfulness_count"], "mean_helpfulness": mean(judge)},
        "understood_pct": stats.percent(understood, answered),
        "understood_n": answered,
    }


def characteristic_totals(*, first: datetime.date, last: datetime.date, region_id=None, team_id=None) -> dict:
    """{(characteristic, value): {"audits", "good_or_better"}} over the window and scope; one query."""
    rows = (
        _window(models.CharacteristicSnapshot, first=first, last=last, region_id=region_id, team_id=team_id)
        .values("characteristic", "value")
        .annotate(audits=Sum("audits"), good_or_better=Sum("good_or_better"))
        .order_by("characteristic", "value")
    )
    return {
        (r["characteristic"], r["value"]): {"audits": r["audits"], "good_or_better": r["good_or_better"]} for r in rows
    }


def practitioner_audits(*, first: datetime.date, last: datetime.date, practitioner_ids) -> dict[int, int]:
    """{practitioner id: completed audits of their work} over the months (of these practitioners, or
    everyone's with None); one query. Wherever the audits were completed (a practitioner who moved
    team keeps their count)."""
    qs = _months(models.PractitionerSnapshot, first, last)
    if practitioner_ids is not None:
        qs = qs.filter(practitioner_id__in=practitioner_ids)
    rows = qs.values("practitioner_id").annotate(n=Sum("audits")).order_by()
    return {r["practitioner_id"]: r["n"] for r in rows}
