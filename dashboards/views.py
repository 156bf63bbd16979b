"""Dashboard pages: national, a region, a team. One view builds all three with the level as a
parameter: the levels differ in which places their tables show (the regions and national; a
region, its teams and national; a team, its region and national), never in how a figure is
counted, formatted or linked (dashboards.columns). They read the snapshot tables only, in a fixed
number of queries whatever the number of audits, and every table can be downloaded as CSV."""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from organisation import visibility
from organisation.access_log import Kind, record_view
from organisation.models import Region, Team

from . import board, caching, columns, measures, selectors, stats
from . import compliance as compliance_of
from .columns import Row, figure_table
from .drills import Drill, FeedbackDrill, drills_for
from .periods import PeriodError, add_months, echo, month_period, months_between, parse_period, period_choices
from .selection import SelectionError, parse_selection
from .tables import Cell, Column, Table, csv_response, fmt_pct, month_label, pct_cell, pct_column

FAMILY_FEEDBACK_TARGET_PCT = 50
LEVELS = ("national", "region", "team")


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
    return "?" + urlencode({"period": period.param, **extra})


def _empty() -> dict:
    return dict.fromkeys(selectors.COUNT_FIELDS, 0)


def _rounded(value):
    return None if value is None else round(value, 1)


def _gob_pct(c: dict):
    return stats.percent(c["outstanding"] + c["good"], c["audits"])


@dataclass
class Scope:
    """A place whose figures a page shows in a row (or a column): a region or team with the drills
    its figures link through ({kind: drill}), or national. `short` names it in the seed measures."""

    name: str
    counts: dict
    drills: dict = field(default_factory=dict)
    region_id: int | None = None
    national: bool = False
    href: str = ""
    short: str = ""
    seed: dict = field(default_factory=dict)

    def row(self, *kinds: str, national_pct=None, linked_name: bool = False) -> Row:
        """Its row of a figures table, linking the figures of `kinds` only (and its name to its
        page with `linked_name`); with `national_pct` marked above or below national."""
        flag = None
        if national_pct is not None and not self.national:
            c = self.counts
            flag = stats.compare_with_national(stats.wilson(c["outstanding"] + c["good"], c["audits"]), national_pct)
        drills = {kind: self.drills[kind] for kind in kinds if self.drills.get(kind) is not None}
        return Row(Cell(self.name, href=self.href if linked_name else ""), self.counts, drills, flag, self.national)


# ---- tables -------------------------------------------------------------------------------------


def _trend(counts_by_month: dict, first, last, scope: str, drill=None, national_by_month=None):
    """A 12-month table, the chart data drawn from it, and a text summary for screen readers."""
    months = months_between(first, last)
    counts = [counts_by_month.get(month) or _empty() for month in months]
    rows = [
        Row(
            Cell(month_label(month), csv=(f"{month:%Y-%m}",)),
            c,
            {"audits": drill.within(month, month)} if drill is not None and c["audits"] else {},
        )
        for month, c in zip(months, counts, strict=True)
    ]
    table = figure_table("trend", f"{scope}: grade mix and % good or better by month", columns.TREND, rows)
    pcts = [_gob_pct(c) for c in counts]
    chart = {
        "labels": [month_label(m) for m in months],
        "grades": [
            {"label": label, "key": key, "data": [c[key] for c in counts]} for key, label in columns.GRADES.items()
        ],
        "good_or_better_pct": [_rounded(p) for p in pcts],
        "scope": scope,
        # The national figure month by month (a gap where no audits), and the target, as lines.
        "national_pct": None
        if national_by_month is None
        else [_rounded(_gob_pct(national_by_month[m])) if m in national_by_month else None for m in months],
        "target_pct": board.target_pct(),
    }
    return table, chart, _trend_summary(scope, first, last, months, counts, pcts)


def _trend_summary(scope, first, last, months, counts, pcts) -> str:
    with_data = [(m, c, p) for m, c, p in zip(months, counts, pcts, strict=True) if p is not None]
    if not with_data:
        return f"{scope}: no audits were completed from {month_label(first)} to {month_label(last)}."
    low = min(with_data, key=lambda r: r[2])
    high = max(with_data, key=lambda r: r[2])
    total = sum(c["audits"] for _, c, _ in with_data)
    gob = sum(c["outstanding"] + c["good"] for _, c, _ in with_data)
    return (
        f"{scope}, {month_label(first)} to {month_label(last)}: {total} audits completed, "
        f"{fmt_pct(stats.percent(gob, total))} good or better overall. The monthly figure was lowest in "
        f"{month_label(low[0])} ({fmt_pct(low[2])}) and highest in {month_label(high[0])} ({fmt_pct(high[2])})."
    )


def _against_national(key: str, caption: str, layout: columns.Layout, scopes: list[Scope], linked_name=False):
    """Each place beside national (the last scope, never linked): figures marked above or below it."""
    national_pct = _gob_pct(scopes[-1].counts)
    rows = [
        s.row(*(() if s.national else ("audits",)), national_pct=national_pct, linked_name=linked_name) for s in scopes
    ]
    return figure_table(key, caption, layout, rows)


def _regions_table(scopes: list[Scope], label: str) -> Table:
    """Each region beside national: grade mix, good or better with its interval and the comparison,
    family feedback; region names link to their pages and figures to their audits where the scopes say."""
    return _against_national("regions", f"Audits by region, {label}", columns.REGIONS, scopes, linked_name=True)


def _comparison_table(scopes: list[Scope]) -> Table:
    """The page's place (and its region) against national: audits, good or better with the marker."""
    return _against_national("comparison", "The period against the national figure", columns.COMPARISON, scopes)


def _operational_table(scopes: list[Scope]) -> Table:
    caption = "Operational KPIs 1 to 4 (cases received, and section 7 reports due, in the period)"
    return figure_table("operational", caption, columns.OPERATIONAL, [s.row("cases") for s in scopes])


def _feedback_table(scopes: list[Scope]) -> Table:
    caption = "Feedback from children, families, judges and professionals received in the period"
    return figure_table("feedback", caption, columns.FEEDBACK, [s.row("feedback") for s in scopes])


def _themes_table(themes: list[dict], scopes: list[Scope]) -> Table:
    """Feedback tagged with each theme in the period: a column per scope (national: every region),
    each count linking to that feedback where the viewer may see it."""
    table = Table(
        "themes",
        "Themes in feedback received in the period (feedback with several themes counts under each)",
        [Column("Theme", numeric=False), *[Column(s.name) for s in scopes]],
        empty="No feedback received in the period has been tagged with a theme.",
    )
    for theme in themes:
        row = [Cell(theme["name"])]
        for scope in scopes:
            n = theme["total"] if scope.national else theme["by_region"].get(scope.region_id, 0)
            drill = scope.drills.get("themes")
            row.append(Cell(str(n), csv=(n,), href=drill.href(theme=theme["theme_id"]) if drill and n else ""))
        table.rows.append(row)
    return table


def _criteria_table(rows: list[dict]) -> Table:
    table = Table(
        "criteria",
        "Criteria most often graded below Good in the period",
        [Column("Criterion", numeric=False), pct_column("Graded below Good"), Column("Graded Requires improvement")],
        empty="No criterion was graded below Good in this period.",
    )
    for r in rows:
        text = r["text"] or r["criterion_code"]
        ri = r["requires_improvement"]
        table.rows.append([Cell(text, csv=(text,)), pct_cell(r["below_good"], r["graded"]), Cell(str(ri), csv=(ri,))])
    return table


def _seeds_tables(scopes: list[Scope], characteristics: dict) -> list[Table]:
    named = [(s.short or s.name, s) for s in scopes]
    return measures.seeds_tables(
        [(name, s.seed) for name, s in named],
        characteristics,
        {name: s.drills["feedback"] for name, s in named if s.drills.get("feedback")},
        {name: s.drills["audits"] for name, s in named if s.drills.get("audits")},
    )


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


def _by_type(respondents: dict) -> dict:
    return {who: counts for (_, who), counts in respondents.items()}


def _seed_scope(by_code: dict, respondents: dict, region_id) -> dict:
    """One column of the seed-measure tables: a region's counts, or national (region_id None)."""
    keys = None if region_id is None else {region_id}
    return {
        "criteria": measures.scope_criteria(by_code, region_id),
        "feedback": selectors.feedback_counts_for(respondents, keys),
    }


# ---- the page ---------------------------------------------------------------------------------


def _load_region(user, code: str) -> Region:
    visibility.require(visibility.can_see_dashboards(user))
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise Http404("No such region")
    visibility.require(visibility.can_see_region(user, region))
    return region


class Dashboard:
    """One dashboard page at a level: "national", "region" (`code`) or "team" (`code`, `team_code`).
    Loading it checks that the person may see it (a query for the region, one for the team)."""

    def __init__(self, request, level: str, code: str | None = None, team_code: str | None = None):
        self.request, self.user, self.level = request, request.user, level
        self.region = self.team = None
        if level == "national":
            visibility.require(visibility.can_see_dashboards(self.user))
        else:
            self.region = _load_region(self.user, code)  # query: region
        if level == "team":
            self.team = Team.objects.filter(region=self.region, code=team_code).first()  # query: team
            if self.team is None:
                raise Http404("No such team in this region")
        self.template = f"dashboards/{level}.html"
        place = self.team or self.region
        self.filename = f"{level}-{place.code}" if place else level
        self.name = place.name if place else "National"
        self.where = {"region_id": self.region.pk if self.region else None, "team_id": getattr(self.team, "pk", None)}
        self.codes = {k: v.code for k, v in (("region", self.region), ("team", self.team)) if v is not None}

    # -- the places shown

    def _place(self, name, counts, period, codes, region_id=None, href="") -> Scope:
        """A region or team: every figure links to its audits, cases or feedback (`codes` filter them)."""
        drills = drills_for(self.user, period.first, period.last, **codes)
        drills["themes"] = drills["feedback"]
        return Scope(name, counts, drills, region_id, href=href)

    def _national(self, counts, period, name="National", short="") -> Scope:
        """National: a benchmark on a region's or team's page, linked from the national page itself
        (and from the themes everywhere) for people who see every region's records; its feedback
        count never links (nor did it before the pages shared this code)."""
        admin = visibility.is_admin(self.user)
        drills = {"themes": FeedbackDrill(self.user, period.first, period.last) if admin else None}
        if admin and self.level == "national":
            drills |= drills_for(self.user, period.first, period.last) | {"feedback": None}
        return Scope(name, counts, drills, national=True, short=short)

    def scopes(self, places: selectors.PlaceTotals, period) -> list[Scope]:
        if self.level == "national":
            regions = list(visibility.visible_regions(self.user).order_by("name"))  # query: regions
            by_region = places.by("region_id")
            return [
                self._place(
                    r.name,
                    by_region.get(r.pk) or _empty(),
                    period,
                    {"region": r.code},
                    r.pk,
                    href=reverse("dashboards:region", args=[r.code]) + _query(period),
                )
                for r in regions
            ] + [self._national(places.total(), period, "National (all regions)", short="National")]
        in_region = places.total(region_id=self.region.pk)
        region = self._place(self.region.name, in_region, period, {"region": self.region.code}, self.region.pk)
        nation = self._national(places.total(), period)
        if self.level == "region":
            return [region, nation]
        team = self._place(self.team.name, places.total(**self.where), period, self.codes, self.region.pk)
        return [team, region, nation]

    # -- the figures

    def build(self, ctx: dict) -> list[Table]:
        period, audits = ctx["period"], ctx["audits"]
        window = {"first": period.first, "last": period.last}
        places = selectors.place_totals(**window, audits=audits)  # query (two with a selection)
        scopes = self.scopes(places, period)
        nation = scopes[-1]
        here = nation if self.level == "national" else scopes[0]  # the page's own place
        trend_window = {"first": ctx["trend_first"], "last": ctx["trend_last"]}
        by_month = selectors.totals_by("month", **self.where, audits=audits, **trend_window)  # query
        national_by_month = None
        if self.level != "national":
            national_by_month = selectors.totals_by("month", audits=audits, **trend_window)  # query
        trend, chart, summary = _trend(
            by_month, ctx["trend_first"], ctx["trend_last"], self.name, here.drills.get("audits"), national_by_month
        )
        self._seeds(scopes, window)  # 2 queries (4 for a team)
        tables = {
            "trend": trend,
            "criteria": _criteria_table(selectors.weakest_criteria(**self.where, **window)),  # query
            "operational": _operational_table(scopes),
            "feedback": _feedback_table(scopes),
        }
        ctx.update(
            scope_name=self.name,
            here=selectors.figures(here.counts),
            national=selectors.figures(nation.counts),
            moderation=_moderation(selectors.moderation_table(**self.where, **window)),  # query
            chart=chart,
            chart_summary=summary,
            csv_base=_query(period, format="csv", **ctx["selection_params"]),
            family_feedback_target=FAMILY_FEEDBACK_TARGET_PCT,
            comparison_test=board.COMPARISON_TEST,
            good_or_better_target=board.target_pct(),
        )
        if self.level != "team":
            tables["themes"] = _themes_table(selectors.theme_counts(**window), scopes)  # query
        seeds = _seeds_tables(scopes, selectors.characteristic_totals(**self.where, **window))  # query
        first = getattr(self, f"_{self.level}_tables")(ctx, places, scopes, tables)
        return [*first, *tables.values(), *seeds]

    def _seeds(self, scopes: list[Scope], window: dict) -> None:
        """Each scope's column of the seed measures: criteria by code, feedback by respondent."""
        by_code = selectors.criteria_by_code(selectors.criterion_results(**window))  # query
        respondents = selectors.feedback_by_respondent(**window)  # query
        for scope in scopes:
            scope.seed = _seed_scope(by_code, respondents, None if scope.national else scope.region_id)
        self.by_code = by_code
        if self.level == "team":  # the team's own column
            codes = selectors.criteria_by_code(selectors.criterion_results(team_id=self.team.pk, **window))  # query
            in_team = selectors.feedback_by_respondent(**self.where, **window)  # query
            scopes[0].seed = {"criteria": measures.scope_criteria(codes), "feedback": _by_type(in_team)}

    def _national_tables(self, ctx, places, scopes, tables) -> list[Table]:
        period = ctx["period"]
        exceptions, _ = board.exceptions(
            period=period,
            by_team=places.by("team_id", routine=True),
            by_code=self.by_code,
            region_ids=[s.region_id for s in scopes if not s.national],
        )  # 3 queries
        tables["exceptions"] = exceptions
        return [_regions_table(scopes, period.label)]

    def _region_tables(self, ctx, places, scopes, tables) -> list[Table]:
        compliance = self._compliance(ctx, places, "teams", f"Teams in {self.region.name}: audit compliance and grades")
        return [compliance, _comparison_table(scopes)]

    def _team_tables(self, ctx, places, scopes, tables) -> list[Table]:
        compliance = self._compliance(ctx, places, "compliance", f"{self.team.name}: audit compliance")
        practitioners = _practitioner_table(self.user, self.team, self.people, ctx["period"])
        return [compliance, practitioners, _comparison_table(scopes)]

    def _compliance(self, ctx, places, key: str, caption: str) -> Table:
        """Each team's practitioners on course (never above 100%) beside its audits and grades."""
        period = ctx["period"]
        if self.team is not None:
            teams, of = [self.team], {"team_id": self.team.pk}
        else:
            teams, of = list(Team.objects.filter(region=self.region).order_by("name")), {"region_id": self.region.pk}
        self.people = compliance_of.practitioners(last=period.last, **of)  # 2 queries (and the teams: one)
        ctx["compliance"] = _compliance_summary(self.people, period)
        by_team = places.by("team_id", region_id=self.region.pk)
        rows = []
        for team in teams:
            people = [p for p in self.people if p.team_id == team.pk]
            on_course, total = compliance_of.on_course_share(people)
            counts = {**(by_team.get(team.pk) or _empty()), "practitioners": total, "on_course": on_course}
            drill = Drill(self.user, period.first, period.last, region=self.region.code, team=team.code)
            href = reverse("dashboards:team", args=[self.region.code, team.code]) + _query(period)
            rows.append(Row(Cell(team.name, href=href), counts, {"audits": drill}))
        return figure_table(key, f"{caption}, {period.label}", columns.TEAMS, rows)


@require_GET
def dashboard(request, level: str, code: str | None = None, team_code: str | None = None):
    page = Dashboard(request, level, code, team_code)
    ctx = _setup(request)  # query: snapshot status
    ctx.update(region=page.region, team=page.team)
    if hit := caching.cached_page(request, page.template, ctx):
        return hit  # rendered since the last roll-up: no snapshot query, no rendering
    tables = page.build(ctx)
    return _respond(request, page.template, ctx, tables, page.filename)
