"""Reporting periods: a month (2025-06), a calendar quarter (2025-Q2) or a financial year (FY2025).

A quarter is a calendar quarter (Q1 = January to March). A financial year runs April to
March and is named by the year it starts in: FY2025 = April 2025 to March 2026.
Months themselves (typing, adding, the first day) are `organisation.months`, which every app
may import; this module re-exports what the dashboards use from there.
"""

import datetime
import re
from dataclasses import dataclass

from organisation.months import (
    MAX_YEAR,
    MIN_YEAR,
    MONTH_RE,
    MonthError,
    add_months,
    echo,
    month_start,
    parse_month,
    year_in_range,
)

QUARTER_RE = re.compile(r"^(\d{4})-Q([1-4])$", re.IGNORECASE | re.ASCII)
FY_RE = re.compile(r"^FY(\d{4})$", re.IGNORECASE | re.ASCII)

# A period the user typed that we cannot read; the message is shown to them. The same error as a
# bad month, so a view catching one catches both.
PeriodError = MonthError


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """The first days of the months from first's to last's, both included."""
    months, month = [], month_start(first)
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


@dataclass(frozen=True)
class Period:
    kind: str  # "month", "quarter" or "fy"
    first: datetime.date  # first day of the first month
    last: datetime.date  # first day of the last month (snapshot months are first days)
    param: str

    @property
    def months(self) -> int:
        return (self.last.year - self.first.year) * 12 + self.last.month - self.first.month + 1

    @property
    def end_day(self) -> datetime.date:
        """The last calendar day of the period."""
        return add_months(self.last, 1) - datetime.timedelta(days=1)

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.first:%B %Y}"
        if self.kind == "quarter":
            return f"{self.first:%B} to {self.last:%B %Y}"
        start, end = self.first.year, self.last.year
        return f"financial year {start} to {end} (April {start} to March {end})"

    def trend_months(self, n: int = 12) -> tuple[datetime.date, datetime.date]:
        """The n months ending with this period's last month."""
        return add_months(self.last, -(n - 1)), self.last


def month_period(month: datetime.date) -> Period:
    first = month_start(month)
    return Period("month", first, first, f"{first:%Y-%m}")


def parse_period(value: str) -> Period:
    """Read a month, quarter or financial year; PeriodError with a plain message otherwise."""
    text = (value or "").strip()
    if match := QUARTER_RE.match(text):
        year, quarter = year_in_range(match[1]), int(match[2])
        first = datetime.date(year, 3 * quarter - 2, 1)
        return Period("quarter", first, add_months(first, 2), f"{year}-Q{quarter}")
    if match := FY_RE.match(text):
        year = year_in_range(match[1])
        return Period("fy", datetime.date(year, 4, 1), datetime.date(year + 1, 3, 1), f"FY{year}")
    if MONTH_RE.match(text):
        return month_period(parse_month(text))
    raise PeriodError(
        f"“{echo(text)}” is not a period: enter a month (2025-06), a quarter (2025-Q2) or a financial year (FY2025)."
    )


def period_choices(latest: datetime.date, selected: Period | None = None) -> list[tuple[str, list[tuple[str, str]]]]:
    """Options for the picker: the last 12 months, 8 quarters and 3 financial years to `latest`.

    `selected` (the period on show) is added to its group when it is older than those, so the
    picker never claims a different period from the figures under it.

    Options whose year falls outside MIN_YEAR..MAX_YEAR are left out, so a page asked for
    FY2100 (which ends in 2101) or opened on data from early 2000 still renders.
    """
    latest = min(max(latest, datetime.date(MIN_YEAR, 1, 1)), datetime.date(MAX_YEAR, 12, 1))
    months = [month_period(m) for i in range(12) if (m := add_months(latest, -i)).year >= MIN_YEAR]
    quarter_of_latest = (latest.month - 1) // 3
    quarters = []
    for i in range(8):
        index = latest.year * 4 + quarter_of_latest - i
        if index // 4 >= MIN_YEAR:
            quarters.append(parse_period(f"{index // 4}-Q{index % 4 + 1}"))
    fy_start = min(latest.year if latest.month >= 4 else latest.year - 1, MAX_YEAR)
    years = [parse_period(f"FY{fy_start - i}") for i in range(3) if fy_start - i >= MIN_YEAR]
    groups = [("Months", months), ("Quarters", quarters), ("Financial years", years)]
    if selected is not None and all(p.param != selected.param for _, periods in groups for p in periods):
        {"month": months, "quarter": quarters, "fy": years}[selected.kind].append(selected)
    return [(name, [(p.param, p.label) for p in periods]) for name, periods in groups if periods]
