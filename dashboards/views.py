"""Dashboard pages: national, a region, a team. They read the snapshot tables only, in a fixed
number of queries whatever the number of audits, and every table can be downloaded as CSV."""

import datetime

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from organisation import visibility
from organisation.access_log import Kind, record_view
from organisation.models import Region, Team
from organisation.roles import Role

from . import board, caching, measures, selectors, stats
from . import compliance as compliance_of
from .periods import PeriodError, add_months, echo, month_period, parse_period, period_choices
from .selection import SelectionError, parse_selection
from .tables import (
    GOB_COLUMN,
    Cell,
    Column,
    Table,
    csv_response,
    days_cell,
    fmt_pct,
    gob_cell,
    month_label,
    pct_cell,
    pct_column,
)

FAMILY_FEEDBACK_TARGET_PCT = 50
GRADE_COLUMNS = [
    ("outstanding", "Outstanding"),
    ("good", "Good"),
    ("meets_standard", "Meets standard"),
    ("requires_improvement", "Requires improvement"),
]
FLAG_TEXT = board.COMPARISON_WORDS


# ---- shared -----------------------------------------------------------------------------------


def _setup(request) -> dict:
    """Status (one query) and the period asked for; a bad period is reported, not raised."""
    status = selectors.snapshot_status()
    this_month = timezone.localdate().replace(day=1)
    # The newest month with figures, but never a future one (section 7 reports due next
    # spring already have rows; a page that opens on an empty future month helps nobody).
    latest = min(status["latest_month"] or this_month, this_month)
    raw = request.GET.get("period", "").strip()
    error = ""
    period = month_period(latest)
    if raw:
        try:
            period = parse_period(raw)
        except PeriodError as exc:
            error = str(exc)
    # Grade figures count routine audits unless ?template= or ?programme= asks (two queries then).
    try:
        audits, selection_label = parse_selection(request.GET)
    except SelectionError as exc:
        audits, selection_label = selectors.ROUTINE, ""
        error = error or str(exc)
    return {
        "status": status,
        "audits": audits,
        "selection_label": selection_label,
        "selection_params": {k: v for k, v in (("template", audits.template), ("programme", audits.programme)) if v},
        "period": period,
        "period_error": error,
        "period_value": raw if error else period.param,
        "period_choices": period_choices(max(latest, period.last), selected=period),
        # The trend never runs into the future: 12 months to the period's end or this month.
        "trend_first": add_months(min(period.last, this_month), -11),
        "trend_last": min(period.last, this_month),
    }


def _respond(request, template: str, context: dict, tables: list[Table], filename: str):
    """HTML, or one table as CSV with ?format=csv[&table=key]; 400 for a bad period or table."""
    status = 400 if context["period_error"] else 200
    if request.GET.get("format") == "csv" and not context["period_error"]:
        wanted = request.GET.get("table") or tables[0].key
        for table in tables:
            if table.key == wanted:
                record_view(request, Kind.EXPORT, object_id=f"{filename}-{table.key}.csv")
                return csv_response(table, f"{filename}-{context['period'].param}")
        context["period_error"] = f"There is no table called “{echo(wanted)}” to download."
        status = 400
    context["tables"] = {t.key: t for t in tables}
    return render(request, template, context, status=status)


def _query(period, **extra) -> str:
    from urllib.parse import urlencode

    return "?" + urlencode({"period": period.param, **extra})


def _trend(
    counts_by_month: dict, first: datetime.date, last: datetime.date, scope: str, drill=None, national_by_month=None
):
    """A 12-month table, the chart data drawn from it, and a text summary for screen readers."""
    table = Table(
        "trend",
        f"{scope}: grade mix and % good or better by month",
        [Column("Month", numeric=False), Column("Audits")]
        + [Column(label) for _, label in GRADE_COLUMNS]
        + [GOB_COLUMN],
    )
    months, chart_rows = [], []
    month = first
    while month <= last:
        months.append(month)
        month = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    for month in months:
        c = counts_by_month.get(month) or dict.fromkeys(selectors.COUNT_FIELDS, 0)
        gob = c["outstanding"] + c["good"]
        table.rows.append(_trend_row(month, c, gob, drill))
        chart_rows.append((month, c, stats.percent(gob, c["audits"])))
    chart = {
        "labels": [month_label(m) for m, _, _ in chart_rows],
        "grades": [
            {"label": label, "key": key, "data": [c[key] for _, c, _ in chart_rows]} for key, label in GRADE_COLUMNS
        ],
        "good_or_better_pct": [None if p is None else round(p, 1) for _, _, p in chart_rows],
        "scope": scope,
        # The national figure month by month (a gap where no audits), and the target, as lines.
        "national_pct": None
        if national_by_month is None
        else [_rounded(_gob_pct(national_by_month[m])) if m in national_by_month else None for m, _, _ in chart_rows],
        "target_pct": board.target_pct(),
    }
    with_data = [(m, c, p) for m, c, p in chart_rows if p is not None]
    if not with_data:
        summary = f"{scope}: no audits were completed from {month_label(first)} to {month_label(last)}."
    else:
        low = min(with_data, key=lambda r: r[2])
        high = max(with_data, key=lambda r: r[2])
        total = sum(c["audits"] for _, c, _ in with_data)
        gob = sum(c["outstanding"] + c["good"] for _, c, _ in with_data)
        summary = (
            f"{scope}, {month_label(first)} to {month_label(last)}: {total} audits completed, "
            f"{fmt_pct(stats.percent(gob, total))} good or better overall. The monthly figure was lowest in "
            f"{month_label(low[0])} ({fmt_pct(low[2])}) and highest in {month_label(high[0])} ({fmt_pct(high[2])})."
        )
    return table, chart, summary


def _trend_row(month, c, gob, drill) -> list[Cell]:
    def linked(cell, **extra):
        if drill is None or not c["audits"]:
            return cell
        return drill.link(cell, completed_from=f"{month:%Y-%m}", completed_to=f"{month:%Y-%m}", **extra)

    return (
        [Cell(month_label(month), csv=(f"{month:%Y-%m}",)), linked(Cell(str(c["audits"]), csv=(c["audits"],)))]
        + [linked(Cell(str(c[key]), csv=(c[key],)), grade=GRADE_FILTER[key]) for key, _ in GRADE_COLUMNS]
        + [linked(gob_cell(gob, c["audits"]), grade="good_or_better")]
    )


def _ratio_cell(cell: Cell, drill, numerator: dict, denominator: dict, count: int, words: str) -> Cell:
    """Links a percentage to the cases it counts, and its denominator ("all 20 cases") below it."""
    if drill is not None and drill.allowed and count:
        cell.href = drill.href(**numerator)
        cell.more = ((f"All {count} {words}", drill.href(**denominator), count),)
    return cell


def _operational_row(name: str, c: dict, drill) -> list[Cell]:
    care = {"application_type": "s31_care", **(drill.received if drill else {})}
    private = {"law_type": "private", **(drill.received if drill else {})}
    section_7 = {"application_type": "section_7", **(drill.due if drill else {})}
    alleged = {"da_alleged": "yes", **(drill.received if drill else {})}
    da_cell = Cell(str(c["da_alleged"]), csv=(c["da_alleged"],))
    days = days_cell(c["care_working_days_sum"], c["care_allocated"])
    if drill is not None and c["da_alleged"]:
        da_cell.href = drill.href(**alleged)
    if drill is not None and c["care_allocated"]:
        days.href = drill.href(**care, allocated="yes")
    return [
        Cell(name),
        _ratio_cell(
            pct_cell(c["care_allocated"], c["care_received"]),
            drill,
            {**care, "allocated": "yes"},
            care,
            c["care_received"],
            "care cases received",
        ),
        days,
        _ratio_cell(
            pct_cell(c["private_allocated"], c["private_received"]),
            drill,
            {**private, "allocated": "yes"},
            private,
            c["private_received"],
            "private law cases received",
        ),
        _ratio_cell(
            pct_cell(c["s7_on_time"], c["s7_due"]),
            drill,
            {**section_7, "filed_on_time": "yes"},
            section_7,
            c["s7_due"],
            "section 7 reports due",
        ),
        da_cell,
        _ratio_cell(
            pct_cell(c["da_substantiated"], c["da_alleged"]),
            drill,
            {**alleged, "da_substantiated": "yes"},
            alleged,
            c["da_alleged"],
            "cases with domestic abuse alleged",
        ),
    ]


def _operational_table(scopes: list[tuple[str, dict]], drills=None) -> Table:
    """`drills` {scope name: CaseDrill} links each count to the cases behind it."""
    table = Table(
        "operational",
        "Operational KPIs 1 to 4 (cases received, and section 7 reports due, in the period)",
        [
            Column("Scope", numeric=False),
            pct_column("Care cases allocated"),
            Column(
                "Working days to allocate care cases",
                csv=("Mean working days to allocate", "Working days: total", "Care cases allocated"),
            ),
            pct_column("Private law cases allocated"),
            pct_column("Section 7 reports filed on time"),
            Column("Cases with domestic abuse alleged"),
            pct_column("Of those, domestic abuse substantiated"),
        ],
    )
    for name, c in scopes:
        drill = (drills or {}).get(name)
        table.rows.append(_operational_row(name, c, drill if drill is not None and drill.allowed else None))
    return table


def _mean_cell(total: int, answers: int) -> Cell:
    """'7.4 out of 10 (52 answers)'; CSV gives the mean, the total and the number of answers."""
    if not answers:
        return Cell("No data", csv=("", total, answers))
    mean = total / answers
    return Cell(f"{mean:.1f} out of 10 ({answers} answers)", csv=(round(mean, 1), total, answers))


def _feedback_table(scopes: list[tuple[str, dict]], links=None) -> Table:
    table = Table(
        "feedback",
        "Feedback from children, families, judges and professionals received in the period",
        [
            Column("Scope", numeric=False),
            Column("Feedback received"),
            Column(
                "How helpful (mean, 0 to 10)",
                csv=("Helpfulness: mean", "Helpfulness: total", "Helpfulness: answers"),
            ),
            pct_column("Said their worker helped"),
        ],
    )
    for name, c in scopes:
        drill = (links or {}).get(name)
        href = drill.href() if drill is not None and c["feedback_count"] else ""
        table.rows.append(
            [
                Cell(name),
                Cell(str(c["feedback_count"]), csv=(c["feedback_count"],), href=href),
                _mean_cell(c["feedback_helpfulness_sum"], c["feedback_helpfulness_count"]),
                pct_cell(c["feedback_worker_helped_yes"], c["feedback_worker_helped_count"]),
            ]
        )
    return table


def _themes_table(themes: list[dict], columns: list[tuple[str, int | None, "Drill | None"]]) -> Table:
    """Feedback tagged with each theme in the period: one column per scope (a region's id, or None
    for national: every region), each count linking to that feedback where the viewer may see it."""
    table = Table(
        "themes",
        "Themes in feedback received in the period (feedback with several themes counts under each)",
        [Column("Theme", numeric=False), *[Column(name) for name, _, _ in columns]],
        empty="No feedback received in the period has been tagged with a theme.",
    )
    for theme in themes:
        row = [Cell(theme["name"])]
        for _, region_id, drill in columns:
            n = theme["total"] if region_id is None else theme["by_region"].get(region_id, 0)
            href = drill.href(theme=theme["theme_id"]) if drill is not None and n else ""
            row.append(Cell(str(n), csv=(n,), href=href))
        table.rows.append(row)
    return table


def _criteria_table(rows: list[dict]) -> Table:
    table = Table(
        "criteria",
        "Criteria most often graded below Good in the period",
        [
            Column("Criterion", numeric=False),
            pct_column("Graded below Good"),
            Column("Graded Requires improvement"),
        ],
        empty="No criterion was graded below Good in this period.",
    )
    for r in rows:
        table.rows.append(
            [
                Cell(r["text"] or r["criterion_code"], csv=(r["text"] or r["criterion_code"],)),
                pct_cell(r["below_good"], r["graded"]),
                Cell(str(r["requires_improvement"]), csv=(r["requires_improvement"],)),
            ]
        )
    return table


def _moderation(table_counts: dict) -> dict:
    total = sum(table_counts.values())
    agree = sum(n for (a, m), n in table_counts.items() if a == m)
    kappa = stats.weighted_kappa(table_counts)
    return {
        "total": total,
        "agree": agree,
        "exact_pct": stats.exact_agreement(table_counts),
        "kappa": None if kappa is None else round(kappa, 2),
    }


def _comparison_table(scopes: list[tuple[str, dict]], national_pct, drills=None) -> Table:
    """Scope against national: audits, % good or better with interval and marker, family feedback;
    `drills` {scope name: Drill} links a scope's figures to the audits behind them."""
    table = Table(
        "comparison",
        "The period against the national figure",
        [
            Column("Scope", numeric=False),
            Column("Audits"),
            GOB_COLUMN,
            Column("Compared with national", numeric=False),
            pct_column("With family feedback"),
        ],
    )
    for name, c in scopes:
        gob = c["outstanding"] + c["good"]
        flag = stats.compare_with_national(stats.wilson(gob, c["audits"]), national_pct) if name != "National" else None
        drill = (drills or {}).get(name)
        audits_cell, gob_figure = Cell(str(c["audits"]), csv=(c["audits"],)), gob_cell(gob, c["audits"], flag)
        if drill is not None:
            drill.link(audits_cell)
            drill.link(gob_figure, grade="good_or_better")
        table.rows.append(
            [
                Cell(name),
                audits_cell,
                gob_figure,
                Cell(FLAG_TEXT.get(flag, "Not different" if name != "National" else "–")),
                pct_cell(c["family_feedback"], c["audits"]),
            ]
        )
    return table


class Drill:
    """Links from a figure to the audits behind it: the audit list filtered the same way (completed
    audits, by the region and team copied at completion, months of completion, final grade). Only
    for people who may open that list (a board member reads figures, never case records)."""

    def __init__(self, user, first, last, **base):
        """`user` None: no links (the board pack)."""
        may = (
            user is not None
            and visibility.can_see_cases(user)
            and (visibility.is_admin(user) or user.has_role(Role.SERVICE_MANAGER))
        )
        self.allowed = bool(may)
        self.base = {"section": "region", "status": "completed", **base}
        if first is not None:
            self.base.update(completed_from=f"{first:%Y-%m}", completed_to=f"{last:%Y-%m}")

    def href(self, **extra) -> str:
        if not self.allowed:
            return ""
        from urllib.parse import urlencode

        params = {**self.base, **extra}
        return reverse("audits:list") + "?" + urlencode({k: v for k, v in params.items() if v is not None})

    def link(self, cell: Cell, **extra) -> Cell:
        if cell.text not in ("No audits", "No data"):
            cell.href = self.href(**extra)
        return cell


class FeedbackDrill(Drill):
    """Links from a feedback count to the feedback list filtered the same way (region and team copied
    onto the feedback, months received, respondent)."""

    def __init__(self, user, first, last, **base):
        super().__init__(user, first, last, **base)
        self.base = {"received_from": f"{first:%Y-%m}", "received_to": f"{last:%Y-%m}", **base}

    def href(self, **extra) -> str:
        if not self.allowed:
            return ""
        from urllib.parse import urlencode

        return reverse("feedback:list") + "?" + urlencode({**self.base, **extra})


class CaseDrill(Drill):
    """Links from an operational KPI to the case list filtered the same way (the case's region and
    team, months received or, for section 7 reports, months due), for the people `Drill` allows."""

    def __init__(self, user, first, last, **base):
        super().__init__(user, first, last, **base)
        self.base = base
        self.received = {"received_from": f"{first:%Y-%m}", "received_to": f"{last:%Y-%m}"}
        self.due = {"due_from": f"{first:%Y-%m}", "due_to": f"{last:%Y-%m}"}

    def href(self, **extra) -> str:
        if not self.allowed:
            return ""
        from urllib.parse import urlencode

        return reverse("cases:list") + "?" + urlencode({**self.base, **extra})


GRADE_FILTER = {"outstanding": "4", "good": "3", "meets_standard": "2", "requires_improvement": "1"}


def _by_type(respondents: dict) -> dict:
    return {who: counts for (_, who), counts in respondents.items()}


def _seed_scope(by_code: dict, respondents: dict, region_id) -> dict:
    """One column of the seed-measure tables: a region's counts, or national (region_id None)."""
    keys = None if region_id is None else {region_id}
    return {
        "criteria": measures.scope_criteria(by_code, region_id),
        "feedback": selectors.feedback_counts_for(respondents, keys),
    }


def _rounded(value):
    return None if value is None else round(value, 1)


def _gob_pct(c: dict):
    return stats.percent(c["outstanding"] + c["good"], c["audits"])


# ---- pages ------------------------------------------------------------------------------------


def _regions_table(user, regions, by_region: dict, nation: dict, label: str, period=None) -> Table:
    """Each region beside national: grade mix, good or better with its interval and the comparison,
    family feedback. With `period`, region names link to their pages and figures to their audits."""
    national_pct = _gob_pct(nation)
    window = (period.first, period.last) if period else (None, None)
    table = Table(
        "regions",
        f"Audits by region, {label}",
        [Column("Region", numeric=False), Column("Audits")]
        + [Column(label) for _, label in GRADE_COLUMNS]
        + [GOB_COLUMN, Column("Compared with national", numeric=False), pct_column("With family feedback")],
    )
    for region in regions:
        c = by_region.get(region.pk) or dict.fromkeys(selectors.COUNT_FIELDS, 0)
        gob = c["outstanding"] + c["good"]
        flag = stats.compare_with_national(stats.wilson(gob, c["audits"]), national_pct)
        href = "" if period is None else reverse("dashboards:region", args=[region.code]) + _query(period)
        drill = Drill(user if period else None, *window, region=region.code)
        table.rows.append(
            [Cell(region.name, href=href), drill.link(Cell(str(c["audits"]), csv=(c["audits"],)))]
            + [drill.link(Cell(str(c[key]), csv=(c[key],)), grade=GRADE_FILTER[key]) for key, _ in GRADE_COLUMNS]
            + [drill.link(gob_cell(gob, c["audits"], flag), grade="good_or_better")]
            + [Cell(FLAG_TEXT.get(flag, "Not different")), pct_cell(c["family_feedback"], c["audits"])]
        )
    gob = nation["outstanding"] + nation["good"]
    table.rows.append(
        [Cell("National (all regions)"), Cell(str(nation["audits"]), csv=(nation["audits"],))]
        + [Cell(str(nation[key]), csv=(nation[key],)) for key, _ in GRADE_COLUMNS]
        + [gob_cell(gob, nation["audits"]), Cell("–")]
        + [pct_cell(nation["family_feedback"], nation["audits"])]
    )
    return table


@require_GET
def national(request):
    user = request.user
    visibility.require(visibility.can_see_dashboards(user))
    ctx = _setup(request)  # query: snapshot status
    if hit := caching.cached_page(request, "dashboards/national.html", ctx):
        return hit  # rendered since the last roll-up: no snapshot query, no rendering
    period = ctx["period"]
    regions = list(visibility.visible_regions(user).order_by("name"))  # query: regions
    by_region = selectors.totals_by("region_id", first=period.first, last=period.last, audits=ctx["audits"])  # query
    nation = selectors.add_counts(by_region.values())
    by_month = selectors.totals_by(
        "month", first=ctx["trend_first"], last=ctx["trend_last"], audits=ctx["audits"]
    )  # query

    table = _regions_table(user, regions, by_region, nation, period.label, period)
    national_drill = Drill(user, period.first, period.last) if visibility.is_admin(user) else None
    trend, chart, summary = _trend(by_month, ctx["trend_first"], ctx["trend_last"], "National", national_drill)
    ctx.update(
        scope_name="National",
        national=selectors.figures(nation),
        chart=chart,
        chart_summary=summary,
        breadcrumbs=[],
        csv_base=_query(period, format="csv", **ctx["selection_params"]),
    )
    feedback = _feedback_table(
        [(region.name, by_region.get(region.pk) or dict.fromkeys(selectors.COUNT_FIELDS, 0)) for region in regions]
        + [("National (all regions)", nation)],
        {r.name: FeedbackDrill(user, period.first, period.last, region=r.code) for r in regions},
    )
    window = {"first": period.first, "last": period.last}
    by_code = selectors.criteria_by_code(selectors.criterion_results(**window))  # query
    respondents = selectors.feedback_by_respondent(**window)  # query
    themes = _themes_table(
        selectors.theme_counts(**window),  # query
        [(r.name, r.pk, FeedbackDrill(user, period.first, period.last, region=r.code)) for r in regions]
        + [
            ("National (all regions)", None, FeedbackDrill(user, period.first, period.last) if national_drill else None)
        ],
    )
    by_team = selectors.totals_by("team_id", **window)  # query
    exceptions, _ = board.exceptions(
        period=period, by_team=by_team, by_code=by_code, region_ids=[r.pk for r in regions]
    )  # 3 queries
    weakest = _criteria_table(selectors.weakest_criteria(**window))  # query
    operational = _operational_table(
        [(r.name, by_region.get(r.pk) or dict.fromkeys(selectors.COUNT_FIELDS, 0)) for r in regions]
        + [("National (all regions)", nation)],
        {r.name: CaseDrill(user, period.first, period.last, region=r.code) for r in regions}
        | ({"National (all regions)": CaseDrill(user, period.first, period.last)} if visibility.is_admin(user) else {}),
    )
    ctx.update(
        moderation=_moderation(selectors.moderation_table(**window)),  # query
        comparison_test=board.COMPARISON_TEST,
        good_or_better_target=board.target_pct(),
    )
    seeds = measures.seeds_tables(
        [(r.name, _seed_scope(by_code, respondents, r.pk)) for r in regions]
        + [("National", _seed_scope(by_code, respondents, None))],
        selectors.characteristic_totals(first=period.first, last=period.last),  # query
        {r.name: FeedbackDrill(user, period.first, period.last, region=r.code) for r in regions},
        {r.name: Drill(user, period.first, period.last, region=r.code) for r in regions}
        | ({"National": national_drill} if national_drill is not None else {}),
    )
    return _respond(
        request,
        "dashboards/national.html",
        ctx,
        [table, trend, operational, weakest, exceptions, feedback, themes, *seeds],
        "national",
    )


def _load_region(user, code: str) -> Region:
    visibility.require(visibility.can_see_dashboards(user))
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise Http404("No such region")
    visibility.require(visibility.can_see_region(user, region))
    return region


@require_GET
def region(request, code):
    user = request.user
    region = _load_region(user, code)  # query: region
    ctx = _setup(request)  # query: snapshot status
    ctx["region"] = region
    if hit := caching.cached_page(request, "dashboards/region.html", ctx):
        return hit
    period = ctx["period"]
    window = {"first": period.first, "last": period.last}
    chosen = {**window, "audits": ctx["audits"]}
    by_team = selectors.totals_by("team_id", region_id=region.pk, **chosen)  # query
    here = selectors.add_counts(by_team.values())
    nation = selectors.totals(**chosen)  # query
    trend_window = {"first": ctx["trend_first"], "last": ctx["trend_last"]}
    by_month = selectors.totals_by("month", region_id=region.pk, audits=ctx["audits"], **trend_window)  # query
    criteria = selectors.weakest_criteria(region_id=region.pk, **window)  # query
    moderation = _moderation(selectors.moderation_table(region_id=region.pk, **window))  # query
    teams = list(Team.objects.filter(region=region).order_by("name"))  # query
    people = compliance_of.practitioners(last=period.last, region_id=region.pk)  # 2 queries

    compliance = _compliance_table("teams", f"Teams in {region.name}: audit compliance and grades, {period.label}")
    for team in teams:
        c = by_team.get(team.pk) or dict.fromkeys(selectors.COUNT_FIELDS, 0)
        drill = Drill(user, period.first, period.last, region=region.code, team=team.code)
        compliance.rows.append(_team_row(team, region, period, c, [p for p in people if p.team_id == team.pk], drill))
    drill = Drill(user, period.first, period.last, region=region.code)
    national_by_month = selectors.totals_by("month", audits=ctx["audits"], **trend_window)  # query
    trend, chart, summary = _trend(
        by_month, ctx["trend_first"], ctx["trend_last"], region.name, drill, national_by_month
    )
    by_code = selectors.criteria_by_code(selectors.criterion_results(**window))  # query
    respondents = selectors.feedback_by_respondent(**window)  # query
    seeds = measures.seeds_tables(
        [
            (region.name, _seed_scope(by_code, respondents, region.pk)),
            ("National", _seed_scope(by_code, respondents, None)),
        ],
        selectors.characteristic_totals(region_id=region.pk, **window),  # query
        {region.name: FeedbackDrill(user, period.first, period.last, region=region.code)},
        {region.name: drill},
    )
    comparison = _comparison_table([(region.name, here), ("National", nation)], _gob_pct(nation), {region.name: drill})
    operational = _operational_table(
        [(region.name, here), ("National", nation)],
        {region.name: CaseDrill(user, period.first, period.last, region=region.code)},
    )
    feedback = _feedback_table(
        [(region.name, here), ("National", nation)],
        {region.name: FeedbackDrill(user, period.first, period.last, region=region.code)},
    )
    national_feedback = FeedbackDrill(user, period.first, period.last) if visibility.is_admin(user) else None
    themes = _themes_table(
        selectors.theme_counts(**window),  # query
        [
            (region.name, region.pk, FeedbackDrill(user, period.first, period.last, region=region.code)),
            ("National", None, national_feedback),
        ],
    )
    ctx.update(
        region=region,
        scope_name=region.name,
        here=selectors.figures(here),
        national=selectors.figures(nation),
        moderation=moderation,
        family_feedback_target=FAMILY_FEEDBACK_TARGET_PCT,
        compliance=_compliance_summary(people, period),
        chart=chart,
        chart_summary=summary,
        csv_base=_query(period, format="csv", **ctx["selection_params"]),
    )
    return _respond(
        request,
        "dashboards/region.html",
        ctx,
        [compliance, comparison, trend, _criteria_table(criteria), operational, feedback, themes, *seeds],
        f"region-{region.code}",
    )


def _compliance_table(key: str, caption: str) -> Table:
    return Table(
        key,
        caption,
        [
            Column("Team", numeric=False),
            Column("Practitioners"),
            Column("Audits completed in the period"),
            pct_column("Practitioners on course"),
            GOB_COLUMN,
            pct_column("With family feedback"),
        ],
    )


def _compliance_summary(people, period) -> dict:
    on_course, total = compliance_of.on_course_share(people)
    first, last = compliance_of.rolling_window(period.last)
    return {
        "on_course": on_course,
        "total": total,
        "pct": stats.percent(on_course, total),
        "window": f"{month_label(first)} to {month_label(last)}",
        "target": compliance_of.TARGET,
        "target_collaborative": compliance_of.TARGET_COLLABORATIVE,
    }


def _team_row(team, region, period, c, people, drill) -> list[Cell]:
    """A team's compliance (share of its practitioners on course: never above 100%) and grades."""
    on_course, total = compliance_of.on_course_share(people)
    href = reverse("dashboards:team", args=[region.code, team.code]) + _query(period)
    return [
        Cell(team.name, href=href),
        Cell(str(total), csv=(total,)),
        drill.link(Cell(str(c["audits"]), csv=(c["audits"],))),
        pct_cell(on_course, total),
        drill.link(gob_cell(c["outstanding"] + c["good"], c["audits"]), grade="good_or_better"),
        pct_cell(c["family_feedback"], c["audits"]),
    ]


def _practitioner_table(user, team, people, period) -> Table:
    """Each practitioner's audits in the rolling 12 months (linked to those audits) and status."""
    summary = _compliance_summary(people, period)
    drill = Drill(user, *compliance_of.rolling_window(period.last))
    table = Table(
        "practitioners",
        f"{team.name}: each practitioner's audits, {summary['window']}",
        [
            Column("Practitioner", numeric=False),
            Column("Target"),
            Column("Audits in the rolling 12 months"),
            Column("Status", numeric=False),
        ],
        empty="No practitioner is in this team.",
    )
    for p in people:
        table.rows.append(
            [
                Cell(p.name),
                Cell(str(p.target), csv=(p.target,)),
                drill.link(Cell(str(p.audits), csv=(p.audits,)), practitioner=p.username),
                Cell("On course") if p.on_course else Cell("Behind", note=f"{p.shortfall} short of the target"),
            ]
        )
    return table


@require_GET
def team(request, code, team_code):
    user = request.user
    region = _load_region(user, code)  # query: region
    team = Team.objects.filter(region=region, code=team_code).first()  # query: team
    if team is None:
        raise Http404("No such team in this region")
    ctx = _setup(request)  # query: snapshot status
    ctx.update(region=region, team=team)
    if hit := caching.cached_page(request, "dashboards/team.html", ctx):
        return hit
    period = ctx["period"]
    window = {"first": period.first, "last": period.last}
    chosen = {**window, "audits": ctx["audits"]}
    here = selectors.totals(region_id=region.pk, team_id=team.pk, **chosen)  # query
    in_region = selectors.totals(region_id=region.pk, **chosen)  # query
    nation = selectors.totals(**chosen)  # query
    by_month = selectors.totals_by(
        "month",
        first=ctx["trend_first"],
        last=ctx["trend_last"],
        region_id=region.pk,
        team_id=team.pk,
        audits=ctx["audits"],
    )  # query
    criteria = selectors.weakest_criteria(region_id=region.pk, team_id=team.pk, **window)  # query
    moderation = _moderation(selectors.moderation_table(region_id=region.pk, team_id=team.pk, **window))  # query
    people = compliance_of.practitioners(last=period.last, team_id=team.pk)  # 2 queries

    compliance = _compliance_table("compliance", f"{team.name}: audit compliance, {period.label}")
    drill = Drill(user, period.first, period.last, region=region.code, team=team.code)
    compliance.rows.append(_team_row(team, region, period, here, people, drill))
    national_by_month = selectors.totals_by(
        "month", first=ctx["trend_first"], last=ctx["trend_last"], audits=ctx["audits"]
    )  # query
    trend, chart, summary = _trend(by_month, ctx["trend_first"], ctx["trend_last"], team.name, drill, national_by_month)
    by_code = selectors.criteria_by_code(selectors.criterion_results(**window))  # query
    team_codes = selectors.criteria_by_code(selectors.criterion_results(team_id=team.pk, **window))  # query
    respondents = selectors.feedback_by_respondent(**window)  # query
    in_team = selectors.feedback_by_respondent(region_id=region.pk, team_id=team.pk, **window)  # query
    seeds = measures.seeds_tables(
        [
            (team.name, {"criteria": measures.scope_criteria(team_codes), "feedback": _by_type(in_team)}),
            (region.name, _seed_scope(by_code, respondents, region.pk)),
            ("National", _seed_scope(by_code, respondents, None)),
        ],
        selectors.characteristic_totals(region_id=region.pk, team_id=team.pk, **window),  # query
        {
            team.name: FeedbackDrill(user, period.first, period.last, region=region.code, team=team.code),
            region.name: FeedbackDrill(user, period.first, period.last, region=region.code),
        },
        {team.name: drill, region.name: Drill(user, period.first, period.last, region=region.code)},
    )
    comparison = _comparison_table(
        [(team.name, here), (region.name, in_region), ("National", nation)],
        _gob_pct(nation),
        {team.name: drill, region.name: Drill(user, period.first, period.last, region=region.code)},
    )
    operational = _operational_table(
        [(team.name, here), (region.name, in_region), ("National", nation)],
        {
            team.name: CaseDrill(user, period.first, period.last, region=region.code, team=team.code),
            region.name: CaseDrill(user, period.first, period.last, region=region.code),
        },
    )
    feedback = _feedback_table(
        [(team.name, here), (region.name, in_region), ("National", nation)],
        {
            team.name: FeedbackDrill(user, period.first, period.last, region=region.code, team=team.code),
            region.name: FeedbackDrill(user, period.first, period.last, region=region.code),
        },
    )
    ctx.update(
        region=region,
        team=team,
        scope_name=team.name,
        here=selectors.figures(here),
        national=selectors.figures(nation),
        moderation=moderation,
        family_feedback_target=FAMILY_FEEDBACK_TARGET_PCT,
        compliance=_compliance_summary(people, period),
        chart=chart,
        chart_summary=summary,
        csv_base=_query(period, format="csv", **ctx["selection_params"]),
    )
    return _respond(
        request,
        "dashboards/team.html",
        ctx,
        [
            compliance,
            _practitioner_table(user, team, people, period),
            comparison,
            trend,
            _criteria_table(criteria),
            operational,
            feedback,
            *seeds,
        ],
        f"team-{team.code}",
    )
