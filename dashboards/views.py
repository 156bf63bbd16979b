"""Dashboard pages: national, a region, a team. They read the snapshot tables only, in a fixed
number of queries whatever the number of audits, and every table can be downloaded as CSV."""

import datetime

from django.db.models import Count
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from organisation import visibility
from organisation.models import Region, Team, User
from organisation.roles import Role

from . import caching, selectors, stats
from .periods import PeriodError, echo, month_period, parse_period, period_choices
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

AUDITS_PER_PRACTITIONER_A_YEAR = 8
FAMILY_FEEDBACK_TARGET_PCT = 50
GRADE_COLUMNS = [
    ("outstanding", "Outstanding"),
    ("good", "Good"),
    ("meets_standard", "Meets standard"),
    ("requires_improvement", "Requires improvement"),
]
FLAG_TEXT = {"above": "Above national", "below": "Below national"}


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
    return {
        "status": status,
        "period": period,
        "period_error": error,
        "period_value": raw if error else period.param,
        "period_choices": period_choices(max(latest, period.last), selected=period),
        "trend_first": period.trend_months(12)[0],
    }


def _respond(request, template: str, context: dict, tables: list[Table], filename: str):
    """HTML, or one table as CSV with ?format=csv[&table=key]; 400 for a bad period or table."""
    status = 400 if context["period_error"] else 200
    if request.GET.get("format") == "csv" and not context["period_error"]:
        wanted = request.GET.get("table") or tables[0].key
        for table in tables:
            if table.key == wanted:
                return csv_response(table, f"{filename}-{context['period'].param}")
        context["period_error"] = f"There is no table called “{echo(wanted)}” to download."
        status = 400
    context["tables"] = {t.key: t for t in tables}
    return render(request, template, context, status=status)


def _query(period, **extra) -> str:
    from urllib.parse import urlencode

    return "?" + urlencode({"period": period.param, **extra})


def _trend(counts_by_month: dict, first: datetime.date, last: datetime.date, scope: str):
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
        table.rows.append(
            [Cell(month_label(month), csv=(f"{month:%Y-%m}",)), Cell(str(c["audits"]), csv=(c["audits"],))]
            + [Cell(str(c[key]), csv=(c[key],)) for key, _ in GRADE_COLUMNS]
            + [gob_cell(gob, c["audits"])]
        )
        chart_rows.append((month, c, stats.percent(gob, c["audits"])))
    chart = {
        "labels": [month_label(m) for m, _, _ in chart_rows],
        "grades": [
            {"label": label, "key": key, "data": [c[key] for _, c, _ in chart_rows]} for key, label in GRADE_COLUMNS
        ],
        "good_or_better_pct": [None if p is None else round(p, 1) for _, _, p in chart_rows],
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


def _operational_table(scopes: list[tuple[str, dict]]) -> Table:
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
        ],
    )
    for name, c in scopes:
        table.rows.append(
            [
                Cell(name),
                pct_cell(c["care_allocated"], c["care_received"]),
                days_cell(c["care_working_days_sum"], c["care_allocated"]),
                pct_cell(c["private_allocated"], c["private_received"]),
                pct_cell(c["s7_on_time"], c["s7_due"]),
            ]
        )
    return table


def _mean_cell(total: int, answers: int) -> Cell:
    """'7.4 out of 10 (52 answers)'; CSV gives the mean, the total and the number of answers."""
    if not answers:
        return Cell("No data", csv=("", total, answers))
    mean = total / answers
    return Cell(f"{mean:.1f} out of 10 ({answers} answers)", csv=(round(mean, 1), total, answers))


def _feedback_table(scopes: list[tuple[str, dict]]) -> Table:
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
        table.rows.append(
            [
                Cell(name),
                Cell(str(c["feedback_count"]), csv=(c["feedback_count"],)),
                _mean_cell(c["feedback_helpfulness_sum"], c["feedback_helpfulness_count"]),
                pct_cell(c["feedback_worker_helped_yes"], c["feedback_worker_helped_count"]),
            ]
        )
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


def _comparison_table(scopes: list[tuple[str, dict]], national_pct) -> Table:
    """Scope against national: audits, % good or better with interval and marker, family feedback."""
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
        table.rows.append(
            [
                Cell(name),
                Cell(str(c["audits"]), csv=(c["audits"],)),
                gob_cell(gob, c["audits"], flag),
                Cell(FLAG_TEXT.get(flag, "Not different" if name != "National" else "–")),
                pct_cell(c["family_feedback"], c["audits"]),
            ]
        )
    return table


def _gob_pct(c: dict):
    return stats.percent(c["outstanding"] + c["good"], c["audits"])


# ---- pages ------------------------------------------------------------------------------------


@require_GET
def national(request):
    user = request.user
    visibility.require(visibility.can_see_dashboards(user))
    ctx = _setup(request)  # query: snapshot status
    if hit := caching.cached_page(request, "dashboards/national.html", ctx):
        return hit  # rendered since the last roll-up: no snapshot query, no rendering
    period = ctx["period"]
    regions = list(visibility.visible_regions(user).order_by("name"))  # query: regions
    by_region = selectors.totals_by("region_id", first=period.first, last=period.last)  # query
    nation = selectors.add_counts(by_region.values())
    national_pct = _gob_pct(nation)
    by_month = selectors.totals_by("month", first=ctx["trend_first"], last=period.last)  # query

    table = Table(
        "regions",
        f"Audits by region, {period.label}",
        [Column("Region", numeric=False), Column("Audits")]
        + [Column(label) for _, label in GRADE_COLUMNS]
        + [GOB_COLUMN, Column("Compared with national", numeric=False), pct_column("With family feedback")],
    )
    for region in regions:
        c = by_region.get(region.pk) or dict.fromkeys(selectors.COUNT_FIELDS, 0)
        gob = c["outstanding"] + c["good"]
        flag = stats.compare_with_national(stats.wilson(gob, c["audits"]), national_pct)
        href = reverse("dashboards:region", args=[region.code]) + _query(period)
        table.rows.append(
            [Cell(region.name, href=href), Cell(str(c["audits"]), csv=(c["audits"],))]
            + [Cell(str(c[key]), csv=(c[key],)) for key, _ in GRADE_COLUMNS]
            + [gob_cell(gob, c["audits"], flag), Cell(FLAG_TEXT.get(flag, "Not different"))]
            + [pct_cell(c["family_feedback"], c["audits"])]
        )
    gob = nation["outstanding"] + nation["good"]
    table.rows.append(
        [Cell("National (all regions)"), Cell(str(nation["audits"]), csv=(nation["audits"],))]
        + [Cell(str(nation[key]), csv=(nation[key],)) for key, _ in GRADE_COLUMNS]
        + [gob_cell(gob, nation["audits"]), Cell("–")]
        + [pct_cell(nation["family_feedback"], nation["audits"])]
    )
    trend, chart, summary = _trend(by_month, ctx["trend_first"], period.last, "National")
    ctx.update(
        scope_name="National",
        national=selectors.figures(nation),
        chart=chart,
        chart_summary=summary,
        breadcrumbs=[],
        csv_base=_query(period, format="csv"),
    )
    feedback = _feedback_table(
        [(region.name, by_region.get(region.pk) or dict.fromkeys(selectors.COUNT_FIELDS, 0)) for region in regions]
        + [("National (all regions)", nation)]
    )
    return _respond(request, "dashboards/national.html", ctx, [table, trend, feedback], "national")


def _load_region(user, code: str) -> Region:
    visibility.require(visibility.can_see_dashboards(user))
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise Http404("No such region")
    visibility.require(visibility.can_see_region(user, region))
    return region


def _practitioners_by_team(**filters) -> dict[int, int]:
    rows = (
        User.objects.filter(is_active=True, groups__name=Role.PRACTITIONER, team__isnull=False, **filters)
        .values("team_id")
        .annotate(n=Count("id", distinct=True))
        .order_by()
    )
    return {r["team_id"]: r["n"] for r in rows}


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
    by_team = selectors.totals_by("team_id", region_id=region.pk, **window)  # query
    here = selectors.add_counts(by_team.values())
    nation = selectors.totals(**window)  # query
    by_month = selectors.totals_by("month", first=ctx["trend_first"], last=period.last, region_id=region.pk)  # query
    criteria = selectors.weakest_criteria(region_id=region.pk, **window)  # query
    moderation = _moderation(selectors.moderation_table(region_id=region.pk, **window))  # query
    teams = list(Team.objects.filter(region=region).order_by("name"))  # query
    practitioners = _practitioners_by_team(team__region=region)  # query

    compliance = Table(
        "teams",
        f"Teams in {region.name}: audit compliance and grades, {period.label}",
        [
            Column("Team", numeric=False),
            Column("Practitioners"),
            Column("Yearly target"),
            Column("Audits completed"),
            Column("Target for the period"),
            Column("Compliance", csv=("Compliance %",)),
            GOB_COLUMN,
            pct_column("With family feedback"),
        ],
    )
    for team in teams:
        c = by_team.get(team.pk) or dict.fromkeys(selectors.COUNT_FIELDS, 0)
        compliance.rows.append(_team_row(team, region, period, c, practitioners.get(team.pk, 0)))
    trend, chart, summary = _trend(by_month, ctx["trend_first"], period.last, region.name)
    comparison = _comparison_table([(region.name, here), ("National", nation)], _gob_pct(nation))
    operational = _operational_table([(region.name, here), ("National", nation)])
    feedback = _feedback_table([(region.name, here), ("National", nation)])
    ctx.update(
        region=region,
        scope_name=region.name,
        here=selectors.figures(here),
        national=selectors.figures(nation),
        moderation=moderation,
        family_feedback_target=FAMILY_FEEDBACK_TARGET_PCT,
        audits_per_year=AUDITS_PER_PRACTITIONER_A_YEAR,
        chart=chart,
        chart_summary=summary,
        csv_base=_query(period, format="csv"),
    )
    return _respond(
        request,
        "dashboards/region.html",
        ctx,
        [compliance, comparison, trend, _criteria_table(criteria), operational, feedback],
        f"region-{region.code}",
    )


def _target(practitioners: int, months: int) -> float:
    """8 audits per practitioner a year, pro-rated to the period's months."""
    return practitioners * AUDITS_PER_PRACTITIONER_A_YEAR * months / 12


def _team_row(team, region, period, c, practitioners) -> list[Cell]:
    yearly = practitioners * AUDITS_PER_PRACTITIONER_A_YEAR
    target = _target(practitioners, period.months)
    compliance = stats.percent(c["audits"], target) if target else None
    href = reverse("dashboards:team", args=[region.code, team.code]) + _query(period)
    return [
        Cell(team.name, href=href),
        Cell(str(practitioners), csv=(practitioners,)),
        Cell(str(yearly), csv=(yearly,)),
        Cell(str(c["audits"]), csv=(c["audits"],)),
        Cell(f"{target:.1f}".removesuffix(".0"), csv=(round(target, 2),)),
        Cell(
            "No target" if compliance is None else fmt_pct(compliance),
            csv=("" if compliance is None else round(compliance, 1),),
        ),
        gob_cell(c["outstanding"] + c["good"], c["audits"]),
        pct_cell(c["family_feedback"], c["audits"]),
    ]


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
    here = selectors.totals(region_id=region.pk, team_id=team.pk, **window)  # query
    in_region = selectors.totals(region_id=region.pk, **window)  # query
    nation = selectors.totals(**window)  # query
    by_month = selectors.totals_by(
        "month", first=ctx["trend_first"], last=period.last, region_id=region.pk, team_id=team.pk
    )  # query
    criteria = selectors.weakest_criteria(region_id=region.pk, team_id=team.pk, **window)  # query
    moderation = _moderation(selectors.moderation_table(region_id=region.pk, team_id=team.pk, **window))  # query
    practitioners = _practitioners_by_team(team=team).get(team.pk, 0)  # query

    compliance = Table(
        "compliance",
        f"{team.name}: audit compliance, {period.label}",
        [
            Column("Team", numeric=False),
            Column("Practitioners"),
            Column("Yearly target"),
            Column("Audits completed"),
            Column("Target for the period"),
            Column("Compliance", csv=("Compliance %",)),
            GOB_COLUMN,
            pct_column("With family feedback"),
        ],
        rows=[_team_row(team, region, period, here, practitioners)],
    )
    trend, chart, summary = _trend(by_month, ctx["trend_first"], period.last, team.name)
    comparison = _comparison_table(
        [(team.name, here), (region.name, in_region), ("National", nation)], _gob_pct(nation)
    )
    operational = _operational_table([(team.name, here), (region.name, in_region), ("National", nation)])
    feedback = _feedback_table([(team.name, here), (region.name, in_region), ("National", nation)])
    ctx.update(
        region=region,
        team=team,
        scope_name=team.name,
        here=selectors.figures(here),
        national=selectors.figures(nation),
        moderation=moderation,
        family_feedback_target=FAMILY_FEEDBACK_TARGET_PCT,
        audits_per_year=AUDITS_PER_PRACTITIONER_A_YEAR,
        chart=chart,
        chart_summary=summary,
        csv_base=_query(period, format="csv"),
    )
    return _respond(
        request,
        "dashboards/team.html",
        ctx,
        [compliance, comparison, trend, _criteria_table(criteria), operational, feedback],
        f"team-{team.code}",
    )
