"""The dashboard figures, declared once: each has a name, a heading, how its cell is formatted from
summed snapshot counts, the drill-down its cell links to, and the KPI API fields it gives.

Every figures table (national, region and team pages, the board pack) is a layout: a first column
and a list of figure names, built by `figure_table`; the KPI API lists `api_fields()`. Adding a
count is an entry in FIGURES and its name in each layout (or API field) that shows it.
"""

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field

from . import board
from .drills import GRADE_FILTER
from .tables import GOB_COLUMN, Cell, Column, Table, days_cell, gob_cell, mean_cell, pct_cell, pct_column

GRADES = {
    "outstanding": "Outstanding",
    "good": "Good",
    "meets_standard": "Meets standard",
    "requires_improvement": "Requires improvement",
}


@dataclass
class Row:
    """One row of a figures table: its first cell, the summed counts, the drills its figures link
    through ({kind: drill}; a kind left out links nothing), and how it compares with national
    ("above", "below" or None); `national` marks the national row itself."""

    head: Cell
    counts: dict
    drills: dict = field(default_factory=dict)
    flag: str | None = None
    national: bool = False


@dataclass(frozen=True)
class Link:
    """Where a figure's cell links: the list of `kind` ("audits", "cases" or "feedback") filtered by
    `filters` (a case list also by the `window` of months, "received" or "due") and `numerator`.

    `when` names the count that must be non-zero for a link (empty: any cell with a figure);
    `all_of` words the denominator's own link below the figure ("All 20 care cases received")."""

    kind: str = "audits"
    filters: dict = field(default_factory=dict)
    window: str = ""
    numerator: dict = field(default_factory=dict)
    when: str = ""
    all_of: str = ""

    def apply(self, cell: Cell, row: Row) -> Cell:
        drill = row.drills.get(self.kind)
        if drill is None:
            return cell
        if not self.when:
            return drill.link(cell, **self.filters, **self.numerator)
        n = row.counts[self.when]
        if not (drill.allowed and n):
            return cell
        scope = {**self.filters, **(drill.windows[self.window] if self.window else {})}
        cell.href = drill.href(**scope, **self.numerator)
        if self.all_of:
            cell.more = ((f"All {n} {self.all_of}", drill.href(**scope), n),)
        return cell


@dataclass(frozen=True)
class Figure:
    name: str
    column: Column
    cell: Callable[[Row], Cell]
    link: Link | None = None
    api: tuple[str, ...] = ()  # the KPI API's fields for this figure (selectors.figures computes them)

    def render(self, row: Row) -> Cell:
        cell = self.cell(row)
        return cell if self.link is None else self.link.apply(cell, row)


def _count(name: str):
    return lambda row: Cell(str(row.counts[name]), csv=(row.counts[name],))


def _ratio(numerator: str, denominator: str):
    return lambda row: pct_cell(row.counts[numerator], row.counts[denominator])


def _good_or_better(row: Row) -> Cell:
    c = row.counts
    return gob_cell(c["outstanding"] + c["good"], c["audits"], row.flag)


def _compared(row: Row) -> Cell:
    return Cell("–" if row.national else board.comparison_word(row.flag))


# The cases a case KPI counts: care cases and private law cases received in the period, section 7
# reports due in it, cases received with domestic abuse alleged.
CARE = Link("cases", {"application_type": "s31_care"}, "received")
PRIVATE = Link("cases", {"law_type": "private"}, "received")
SECTION_7 = Link("cases", {"application_type": "section_7"}, "due")
ALLEGED = Link("cases", {"da_alleged": "yes"}, "received")


def _case_share(name: str, heading: str, cases: Link, of: str, words: str, *, api=(), **numerator) -> "Figure":
    """A case KPI: the share of `cases` (`of` counts them, `words` says what they are) that meet
    `numerator`; linked to those cases, and to all of them below."""
    link = dataclasses.replace(cases, numerator=numerator, when=of, all_of=words)
    return Figure(name, pct_column(heading), _ratio(name, of), link, api=api)


FIGURES = {
    f.name: f
    for f in [
        Figure("audits", Column("Audits"), _count("audits"), Link(), api=("audits",)),
        *[
            Figure(key, Column(label), _count(key), Link(numerator={"grade": GRADE_FILTER[key]}), api=(key,))
            for key, label in GRADES.items()
        ],
        Figure(
            "good_or_better",
            GOB_COLUMN,
            _good_or_better,
            Link(numerator={"grade": "good_or_better"}),
            api=("good_or_better_pct", "good_or_better_ci95"),
        ),
        Figure("compared", Column("Compared with national", numeric=False), _compared),
        Figure(
            "family_feedback",
            pct_column("With family feedback"),
            _ratio("family_feedback", "audits"),
            api=("family_feedback_pct",),
        ),
        _case_share(
            "care_allocated",
            "Care cases allocated",
            CARE,
            "care_received",
            "care cases received",
            allocated="yes",
            api=("care_allocated_pct",),
        ),
        Figure(
            "care_working_days",
            Column(
                "Working days to allocate care cases",
                csv=("Mean working days to allocate", "Working days: total", "Care cases allocated"),
            ),
            lambda row: days_cell(row.counts["care_working_days_sum"], row.counts["care_allocated"]),
            dataclasses.replace(CARE, numerator={"allocated": "yes"}, when="care_allocated"),
            api=("care_working_days_to_allocate",),
        ),
        _case_share(
            "private_allocated",
            "Private law cases allocated",
            PRIVATE,
            "private_received",
            "private law cases received",
            allocated="yes",
            api=("private_allocated_pct",),
        ),
        _case_share(
            "s7_on_time",
            "Section 7 reports filed on time",
            SECTION_7,
            "s7_due",
            "section 7 reports due",
            filed_on_time="yes",
            api=("s7_on_time_pct",),
        ),
        Figure(
            "da_alleged",
            Column("Cases with domestic abuse alleged"),
            _count("da_alleged"),
            dataclasses.replace(ALLEGED, when="da_alleged"),
        ),
        _case_share(
            "da_substantiated",
            "Of those, domestic abuse substantiated",
            ALLEGED,
            "da_alleged",
            "cases with domestic abuse alleged",
            da_substantiated="yes",
        ),
        Figure(
            "feedback_count",
            Column("Feedback received"),
            _count("feedback_count"),
            Link("feedback", when="feedback_count"),
        ),
        Figure(
            "feedback_helpfulness",
            Column(
                "How helpful (mean, 0 to 10)", csv=("Helpfulness: mean", "Helpfulness: total", "Helpfulness: answers")
            ),
            lambda row: mean_cell(row.counts["feedback_helpfulness_sum"], row.counts["feedback_helpfulness_count"]),
        ),
        Figure(
            "feedback_worker_helped",
            pct_column("Said their worker helped"),
            _ratio("feedback_worker_helped_yes", "feedback_worker_helped_count"),
        ),
        # From the practitioner compliance the page adds to a team's counts, not from a snapshot.
        Figure("practitioners", Column("Practitioners"), _count("practitioners")),
        Figure("on_course", pct_column("Practitioners on course"), _ratio("on_course", "practitioners")),
    ]
}


@dataclass(frozen=True)
class Layout:
    """A figures table's columns: the first (what each row is) and the figures, by name; a
    (name, heading) pair shows a figure under another heading."""

    first: Column
    figures: tuple

    def columns(self) -> list[tuple[Figure, Column]]:
        out = []
        for entry in self.figures:
            name, heading = entry if isinstance(entry, tuple) else (entry, None)
            figure = FIGURES[name]
            out.append((figure, dataclasses.replace(figure.column, label=heading) if heading else figure.column))
        return out


def _scope(label: str) -> Column:
    return Column(label, numeric=False)


REGIONS = Layout(_scope("Region"), ("audits", *GRADES, "good_or_better", "compared", "family_feedback"))
COMPARISON = Layout(_scope("Scope"), ("audits", "good_or_better", "compared", "family_feedback"))
TEAMS = Layout(
    _scope("Team"),
    ("practitioners", ("audits", "Audits completed in the period"), "on_course", "good_or_better", "family_feedback"),
)
TREND = Layout(_scope("Month"), ("audits", *GRADES, "good_or_better"))
OPERATIONAL = Layout(
    _scope("Scope"),
    ("care_allocated", "care_working_days", "private_allocated", "s7_on_time", "da_alleged", "da_substantiated"),
)
FEEDBACK = Layout(_scope("Scope"), ("feedback_count", "feedback_helpfulness", "feedback_worker_helped"))


def figure_table(key: str, caption: str, layout: Layout, rows: list[Row], **options) -> Table:
    """A table with a row per `Row`: its first cell, then each figure of the layout."""
    columns = layout.columns()
    table = Table(key, caption, [layout.first, *[column for _, column in columns]], **options)
    for row in rows:
        table.rows.append([row.head, *[figure.render(row) for figure, _ in columns]])
    return table


def api_fields() -> list[str]:
    """The KPI API's figures, in the order of FIGURES."""
    return [name for figure in FIGURES.values() for name in figure.api]
