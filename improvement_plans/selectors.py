"""Reads the plan pages share: which plans a person may see, and a plan as the board reads it.

Live figures of success measures come from the KPI snapshots through dashboards.selectors,
in ONE aggregate query for all measures of a page bound to registry KPIs and ONE more for all
those bound to a criterion's % good or better (each grouped by region and month over the trend
window), summed in Python: never a query per measure.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, Sum
from django.http import Http404

from dashboards import selectors as kpis
from organisation import visibility
from organisation.months import add_months, month_start

from . import rag
from .models import Action, Objective, Plan, ProgressUpdate, SuccessMeasure

TREND_MONTHS = 12


# ---- who may see which plan ------------------------------------------------------------


def plan_q(user) -> Q:
    """National plans for every plan reader; a region's plan for those who may see that region."""
    if not visibility.can_read_plans(user):
        return visibility.NOTHING
    if visibility.sees_all_regions(user):
        return Q()
    return Q(region__isnull=True) | Q(region__in=visibility.visible_regions(user))


def visible_plans(user):
    return Plan.objects.filter(plan_q(user))


def get_plan_for(user, pk, *, write: bool = False) -> Plan:
    """Load one plan this person may read (404 otherwise); write=True also needs edit rights (403)."""
    visibility.require(visibility.can_read_plans(user))
    plan = visible_plans(user).for_list().filter(pk=pk).first()
    if plan is None:
        raise Http404("No such plan")
    if write and not visibility.can_edit_plans(user):
        raise PermissionDenied
    return plan


# ---- months ----------------------------------------------------------------------------


def trend_months(today: datetime.date) -> list[datetime.date]:
    this_month = month_start(today)
    return [add_months(this_month, -i) for i in range(TREND_MONTHS - 1, -1, -1)]


# ---- live figures ----------------------------------------------------------------------


@dataclass
class MeasureFigures:
    region_code: str | None
    scope_label: str
    label: str = ""  # what the figure is (a criterion's text comes from its snapshot rows)
    current: "kpis.KpiValue | None" = None
    period: tuple[datetime.date, datetime.date] | None = None
    trend: list[tuple[datetime.date, "kpis.KpiValue"]] = field(default_factory=list)
    rag: str | None = None
    # True when the reader may not see the measure's region (a service manager reading a national
    # plan with a measure scoped to another region): the page says so instead of leaking figures.
    hidden: bool = False

    @property
    def value(self):
        return self.current.value if self.current else None


def measure_figures(measures, plan, *, today: datetime.date) -> dict[int, MeasureFigures]:
    """Current value, trend and RAG of every bound measure: one snapshot query for the registry
    KPIs and one criterion snapshot query for the criterion KPIs (each only when needed)."""
    bound = [m for m in measures if m.is_bound]
    if not bound:
        return {}
    months = trend_months(today)
    regions = {m.pk: m.region_for(plan) for m in bound}
    by_month = _registry_counts([m for m in bound if not m.is_criterion], regions, months)
    by_month |= _criterion_counts([m for m in bound if m.is_criterion], regions, months)

    result = {}
    for m in bound:
        region = regions[m.pk]
        counts, text = by_month[m.pk]

        def value_of(month_list, counts=counts, kpi=m.kpi):
            present = [counts[mo] for mo in month_list if mo in counts]
            return kpis.KpiValue(kpi=kpi, numerator=sum(n for n, _ in present), denominator=sum(d for _, d in present))

        current_months = months[-m.current_months :]
        figures = MeasureFigures(
            region_code=region.code if region else None,
            scope_label=region.name if region else "National",
            label=kpis.kpi_label(m.kpi, text),
            current=value_of(current_months),
            period=(current_months[0], current_months[-1]),
            trend=[(mo, value_of([mo])) for mo in months if mo in counts],
        )
        figures.rag = rag.measure_rag(
            current=figures.value,
            baseline=m.baseline,
            target=m.target,
            higher_is_better=m.direction == SuccessMeasure.Direction.HIGHER,
            baseline_on=m.baseline_end,
            target_on=m.target_on,
            today=today,
        )
        result[m.pk] = figures
    return result


# {measure pk: ({month: (numerator, denominator)} for the months with rows in its scope, criterion text)}
MonthCounts = dict[int, tuple[dict[datetime.date, tuple[int, int]], str]]


def _region_filter(measures, regions) -> set[int] | None:
    """The region ids to read, or None (every region) when any measure is national."""
    chosen = [regions[m.pk] for m in measures]
    if any(r is None for r in chosen):
        return None
    return {r.pk for r in chosen}


def _registry_counts(measures, regions, months) -> MonthCounts:
    """Measures bound to KPIS: ONE query over the KPI snapshots (none without such measures)."""
    if not measures:
        return {}
    needed = set()
    for m in measures:
        needed |= set(_kpi_fields(m.kpi))
    qs = kpis.snapshots(start=months[0], end=months[-1])
    region_ids = _region_filter(measures, regions)
    if region_ids is not None:
        qs = qs.filter(region_id__in=region_ids)
    rows = qs.values("region_id", "month").annotate(**{f"sum_{f}": Sum(f) for f in sorted(needed)}).order_by()
    # totals[(region_id or None, month)][field]; None is the national sum of all regions.
    totals: dict = defaultdict(lambda: defaultdict(int))
    for row in rows:
        for f in needed:
            n = row[f"sum_{f}"] or 0
            totals[(row["region_id"], row["month"])][f] += n
            totals[(None, row["month"])][f] += n
    out = {}
    for m in measures:
        region = regions[m.pk]
        key = region.pk if region else None
        spec = kpis.KPIS[m.kpi]
        out[m.pk] = (
            {
                mo: (sum(totals[(key, mo)][f] for f in spec.numerator), totals[(key, mo)][spec.denominator])
                for mo in months
                if (key, mo) in totals
            },
            "",
        )
    return out


def _criterion_counts(measures, regions, months) -> MonthCounts:
    """Measures bound to a criterion: ONE query over the criterion snapshots (none without such measures).

    Good or better over graded judgements of the criterion's code (its versions summed), by month.
    """
    if not measures:
        return {}
    codes = {kpis.criterion_code(m.kpi) for m in measures}
    rows = kpis.criterion_counts(
        codes=codes, start=months[0], end=months[-1], region_ids=_region_filter(measures, regions)
    )
    # totals[(code, region_id or None, month)] = [good or better, graded]; None is national.
    totals: dict = defaultdict(lambda: [0, 0])
    texts: dict[str, str] = {}
    for (code, region_id, month), c in rows.items():
        for key in ((code, region_id, month), (code, None, month)):
            totals[key][0] += c.good_or_better
            totals[key][1] += c.graded
        # The greatest text, as the roll-up picks one per slice, so the label does not flicker.
        texts[code] = max(texts.get(code, ""), c.text)
    out = {}
    for m in measures:
        code = kpis.criterion_code(m.kpi)
        region = regions[m.pk]
        key = region.pk if region else None
        out[m.pk] = (
            {mo: tuple(totals[(code, key, mo)]) for mo in months if (code, key, mo) in totals},
            texts.get(code, ""),
        )
    return out


def _kpi_fields(kpi: str) -> tuple[str, ...]:
    spec = kpis.KPIS[kpi]
    return (*spec.numerator, spec.denominator)


# ---- one plan, as the board reads it ---------------------------------------------------


def _updates():
    return ProgressUpdate.objects.select_related("author").order_by("-on", "-created_at", "-pk")


def plan_for_page(plan: Plan, *, today: datetime.date, user=None) -> dict:
    """Everything the plan page shows, in a fixed number of queries whatever the plan's size.

    With a user, figures of a region that person may not read are withheld (dashboards refuse them too).
    """
    objectives = list(
        Objective.objects.filter(plan=plan)
        .order_by("order", "ref")
        .prefetch_related(
            Prefetch(
                "actions",
                queryset=Action.objects.order_by("order", "ref").prefetch_related(
                    "owners", Prefetch("updates", queryset=_updates())
                ),
            )
        )
    )
    measures = list(
        SuccessMeasure.objects.filter(plan=plan)
        .select_related("region", "objective")
        .prefetch_related(Prefetch("updates", queryset=_updates()))
        .order_by("order", "pk")
    )
    figures = measure_figures(measures, plan, today=today)
    for m in measures:
        region = m.region_for(plan)
        if m.pk in figures and user is not None and region is not None and not visibility.can_see_region(user, region):
            figures[m.pk] = MeasureFigures(
                region_code=region.code, scope_label=region.name, label=m.kpi_label, hidden=True
            )
    by_objective = defaultdict(list)
    plan_measures = []
    for m in measures:
        m.figures = figures.get(m.pk)
        m.latest_update = next(iter(m.updates.all()), None)
        (by_objective[m.objective_id] if m.objective_id else plan_measures).append(m)

    overdue = []
    actions = []
    for o in objectives:
        o.measure_list = by_objective.get(o.pk, [])
        for a in o.actions.all():
            a.rag = rag.action_rag(status=a.status, due_on=a.due_on, review_on=a.review_on, today=today)
            a.overdue = rag.is_overdue(status=a.status, due_on=a.due_on, review_on=a.review_on, today=today)
            a.latest_update = next(iter(a.updates.all()), None)
            a.objective_ref = o.ref
            a.objective_order = o.order
            actions.append(a)
            if a.overdue:
                overdue.append(a)
    overdue.sort(key=lambda a: (a.check_date, a.objective_order, a.ref))
    return {
        "objectives": objectives,
        "plan_measures": plan_measures,
        "measures": measures,
        "overdue": overdue,
        "action_counts": count_actions(actions),
    }


def count_actions(actions) -> dict:
    """Counts of actions by status and by computed RAG (actions carry .rag and .status)."""
    counts = {"total": 0, "red": 0, "amber": 0, "green": 0, "overdue": 0}
    counts.update(dict.fromkeys(Action.Status.values, 0))
    for a in actions:
        counts["total"] += 1
        counts[a.status] += 1
        counts[a.rag] += 1
        counts["overdue"] += bool(getattr(a, "overdue", False))
    return counts


# ---- the list of plans -------------------------------------------------------------------


@dataclass
class _Row:
    status: str
    rag: str
    overdue: bool


def plans_for_list(user, *, today: datetime.date) -> list[Plan]:
    """Visible plans with counts of actions by status and RAG, plans with overdue actions first. Two queries."""
    plans = list(visible_plans(user).for_list())
    rows = defaultdict(list)
    for a in Action.objects.filter(objective__plan__in=[p.pk for p in plans]).values(
        "objective__plan_id", "status", "due_on", "review_on"
    ):
        facts = {"status": a["status"], "due_on": a["due_on"], "review_on": a["review_on"], "today": today}
        rows[a["objective__plan_id"]].append(_Row(a["status"], rag.action_rag(**facts), rag.is_overdue(**facts)))
    for p in plans:
        p.counts = count_actions(rows[p.pk])
    plans.sort(key=lambda p: (p.counts["overdue"] == 0, p.status == Plan.Status.CLOSED, p.title))
    return plans
