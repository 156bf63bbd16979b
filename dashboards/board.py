"""What the board reads beside the national table: the exceptions that need someone to act, and the
comparison words. Built from snapshot figures the caller already holds, plus the practitioner
compliance (two queries) and the teams' names (one)."""

from django.conf import settings

from organisation.models import Team

from . import compliance, selectors
from .tables import Cell, Column, Table, days_cell, fmt_pct

SLOW_ALLOCATION_DAYS = 3  # KPI 2: teams taking this many working days or more to allocate care cases
WEAK_CRITERION_PCT = 60  # criteria below this share good or better (or yes)
COMPARISON_TEST = (
    "Test: the 95% Wilson score interval of the region's share against the national figure. Higher or lower "
    "only when the whole interval lies above or below it; otherwise not different."
)
COMPARISON_WORDS = {"above": "Higher", "below": "Lower"}


def target_pct() -> int:
    return settings.GOOD_OR_BETTER_TARGET_PCT


def comparison_word(flag: str | None) -> str:
    return COMPARISON_WORDS.get(flag, "Not different")


def slow_teams(by_team: dict, teams: dict) -> list[tuple]:
    """(team, mean working days, its cells) for teams at SLOW_ALLOCATION_DAYS or more, slowest first."""
    out = []
    for team_id, c in by_team.items():
        if not c["care_allocated"]:
            continue
        mean = c["care_working_days_sum"] / c["care_allocated"]
        if mean >= SLOW_ALLOCATION_DAYS and team_id in teams:
            out.append((teams[team_id], mean, days_cell(c["care_working_days_sum"], c["care_allocated"])))
    return sorted(out, key=lambda r: (-r[1], r[0].name))


def behind_by_region(people, teams: dict) -> list[tuple]:
    """(region, behind, practitioners) for every region with anyone behind, most behind first: the
    board reads it by region; each region's page names the teams and people."""
    counts: dict[int, list] = {}
    for p in people:
        team = teams.get(p.team_id)
        if team is None:
            continue
        row = counts.setdefault(team.region_id, [team.region, 0, 0])
        row[1] += not p.on_course
        row[2] += 1
    out = [tuple(row) for row in counts.values() if row[1]]
    return sorted(out, key=lambda r: (-r[1], r[0].name))


def weak_criteria(by_code: dict) -> list[tuple]:
    """(text, figure) of criteria whose national share good or better (or yes) is below WEAK_CRITERION_PCT."""
    out = []
    for entry in by_code.values():
        figure = selectors.criterion_figure(entry["kind"], entry["total"])
        if figure["pct"] is not None and figure["pct"] < WEAK_CRITERION_PCT:
            out.append((entry["text"], figure, entry["kind"]))
    return sorted(out, key=lambda r: (r[1]["pct"], r[0]))


def exceptions(*, period, by_team: dict, by_code: dict, region_ids) -> tuple[Table, dict]:
    """The exceptions table and its parts, for the teams of the regions a person may see (the
    criteria are national figures, as every dashboard reader sees). Three queries."""
    region_ids = list(region_ids)
    teams = {t.pk: t for t in Team.objects.filter(region_id__in=region_ids).select_related("region")}  # query
    people = compliance.practitioners(last=period.last, region_ids=region_ids)  # 2 queries
    table = Table(
        "exceptions",
        "Exceptions: where to act",
        [Column("Exception", numeric=False), Column("Where", numeric=False), Column("Figure")],
        empty="No exceptions in this period.",
    )
    slow = slow_teams(by_team, teams)
    behind = behind_by_region(people, teams)
    weak = weak_criteria(by_code)
    for team, _mean, cell in slow:
        label = f"Care cases take {SLOW_ALLOCATION_DAYS} working days or more to allocate"
        table.rows.append([Cell(label), Cell(f"{team.name} ({team.region.name})"), cell])
    for region, n_behind, total in behind:
        table.rows.append(
            [
                Cell("Practitioners behind on audits"),
                Cell(region.name),
                Cell(f"{n_behind} of {total} behind", csv=(n_behind, total)),
            ]
        )
    for text, figure, kind in weak:
        what = "answered yes" if kind == "yes_no" else "good or better"
        table.rows.append(
            [
                Cell(f"Criterion below {WEAK_CRITERION_PCT}% {what}"),
                Cell(text),
                Cell(f"{fmt_pct(figure['pct'])} ({figure['k']} of {figure['n']})", csv=(round(figure["pct"], 1),)),
            ]
        )
    return table, {"slow": slow, "behind": behind, "weak": weak, "people": people}
