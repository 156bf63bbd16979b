"""Tables the dashboard pages show and let people download: one definition, two renderings (HTML, CSV)."""

import csv
import datetime
from dataclasses import dataclass, field

from django.http import HttpResponse
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from organisation.spreadsheets import neutralise_row

from . import stats


@dataclass
class Column:
    label: str
    csv: tuple[str, ...] | None = None  # a cell may split into several CSV columns
    numeric: bool = True

    @property
    def csv_labels(self) -> tuple[str, ...]:
        return self.csv or (self.label,)


@dataclass
class Cell:
    text: str
    csv: tuple | None = None
    href: str = ""
    tag: str = ""  # "above" / "below": a marker shown after the text
    note: str = ""  # a second, smaller line (such as the numerator and denominator)
    more: tuple = ()  # further (text, href, count) links on a smaller line, such as a denominator's

    @property
    def csv_values(self) -> tuple:
        return self.csv if self.csv is not None else (self.text,)


@dataclass
class Table:
    key: str
    caption: str
    columns: list[Column]
    rows: list[list[Cell]] = field(default_factory=list)
    empty: str = "No figures for this period."

    @property
    def html_rows(self) -> list[list[tuple[Cell, Column]]]:
        return [list(zip(row, self.columns, strict=True)) for row in self.rows]

    @property
    def rendered_rows(self) -> list[str]:
        """Each row's cells as GOV.UK table markup (the first a row header): built here rather than
        cell by cell in the template, where a page of a thousand cells took most of its time."""
        return [_row_html(pairs) for pairs in self.html_rows]


TAGS = {"above": ("green", "Above national"), "below": ("red", "Below national")}
SMALL = "govuk-body-s govuk-!-display-block govuk-!-margin-bottom-0"


def _row_html(pairs: list[tuple[Cell, Column]]) -> str:
    cells = [_cell_html(cell, column, head=i == 0) for i, (cell, column) in enumerate(pairs)]
    return mark_safe("\n".join(cells))  # each part escaped by format_html or escape


def _cell_html(cell: Cell, column: Column, *, head: bool) -> str:
    """One cell: its text (a link where it has one), a marker, a note and further links below."""
    parts = [
        '<th scope="row" class="govuk-table__header">'
        if head
        else format_html('<td class="govuk-table__cell{}">', " govuk-table__cell--numeric" if column.numeric else ""),
        format_html('<a class="govuk-link" href="{}">{}</a>', cell.href, cell.text) if cell.href else escape(cell.text),
    ]
    if cell.tag in TAGS:
        parts.append(format_html('<strong class="govuk-tag govuk-tag--{}">{}</strong>', *TAGS[cell.tag]))
    if cell.note:
        parts.append(format_html('<span class="{}">{}</span>', SMALL, cell.note))
    parts.extend(
        format_html('<a class="govuk-link {}" href="{}">{}</a>', SMALL, href, text) for text, href, _ in cell.more
    )
    parts.append("</th>" if head else "</td>")
    return "\n".join(parts)


# ---- formatting -----------------------------------------------------------------------------


def fmt_pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}%"


def pct_cell(numerator: int, denominator: int) -> Cell:
    """'45% (9 of 20)'; CSV gives the percentage, numerator and denominator apart."""
    value = stats.percent(numerator, denominator)
    if value is None:
        return Cell("No data", csv=("", numerator, denominator))
    return Cell(f"{value:.0f}% ({numerator} of {denominator})", csv=(round(value, 1), numerator, denominator))


def pct_column(label: str) -> Column:
    return Column(label, csv=(label, f"{label}: numerator", f"{label}: denominator"))


def gob_cell(good_or_better: int, audits: int, flag: str | None = None) -> Cell:
    """'63% (58–67%)' with the 95% Wilson interval; CSV: percentage, low, high, numerator, denominator."""
    value = stats.percent(good_or_better, audits)
    interval = stats.wilson(good_or_better, audits)
    if value is None or interval is None:
        return Cell("No audits", csv=("", "", "", good_or_better, audits))
    low, high = interval
    return Cell(
        f"{value:.0f}% ({low:.0f}–{high:.0f}%)",
        csv=(round(value, 1), round(low, 1), round(high, 1), good_or_better, audits),
        tag=flag or "",
        note=f"{good_or_better} of {audits}",
    )


GOB_COLUMN = Column(
    "Good or better (95% interval)",
    csv=(
        "% good or better",
        "95% interval low",
        "95% interval high",
        "Good or better: numerator",
        "Good or better: denominator",
    ),
)


def days_cell(total_days: int, cases: int) -> Cell:
    if not cases:
        return Cell("No data", csv=("", total_days, cases))
    mean = total_days / cases
    return Cell(f"{mean:.1f} days ({cases} cases)", csv=(round(mean, 1), total_days, cases))


def mean_cell(total: int, answers: int) -> Cell:
    """'7.4 out of 10 (52 answers)'; CSV gives the mean, the total and the number of answers."""
    if not answers:
        return Cell("No data", csv=("", total, answers))
    mean = total / answers
    return Cell(f"{mean:.1f} out of 10 ({answers} answers)", csv=(round(mean, 1), total, answers))


def month_label(month: datetime.date) -> str:
    return f"{month:%b %Y}"


# ---- CSV ------------------------------------------------------------------------------------


def csv_response(table: Table, filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}-{table.key}.csv"'
    writer = csv.writer(response)
    writer.writerow(neutralise_row(label for column in table.columns for label in column.csv_labels))
    for row in table.rows:
        writer.writerow(neutralise_row(v for cell in row for v in cell.csv_values))
    return response
