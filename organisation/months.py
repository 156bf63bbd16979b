"""Months, one way for every app: a month is the date of its first day and is typed as YYYY-MM.

Here rather than in `dashboards/periods.py` because cases, audits and feedback read months
from their filters too and may not import dashboards (import-linter's layers); periods
(quarters, financial years) build on these.
"""

import datetime
import re

from django import forms

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$", re.ASCII)  # ASCII: no full-width digits
MIN_YEAR, MAX_YEAR = 2000, 2100


class MonthError(ValueError):
    """A month (or period) the user typed that we cannot read; the message is shown to them."""


def echo(text: str, limit: int = 40) -> str:
    """What the user typed, cut short so a pasted essay does not fill the error message."""
    return text if len(text) <= limit else text[:limit] + "…"


def month_start(day: datetime.date) -> datetime.date:
    """The first day of `day`'s month."""
    return day.replace(day=1)


def add_months(month: datetime.date, n: int) -> datetime.date:
    """The first day of the month n months after `month`'s (n may be negative)."""
    index = month.year * 12 + month.month - 1 + n
    return datetime.date(index // 12, index % 12 + 1, 1)


def next_month(month: datetime.date) -> datetime.date:
    """The first day of the month after `month`'s: the exclusive end of a month's dates."""
    return add_months(month, 1)


def year_in_range(text: str) -> int:
    """A typed year as a number, or MonthError when outside MIN_YEAR..MAX_YEAR."""
    year = int(text)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise MonthError(f"The year must be between {MIN_YEAR} and {MAX_YEAR}.")
    return year


def parse_month(value: str) -> datetime.date:
    """'YYYY-MM' to the first day of that month, or MonthError saying what to type."""
    match = MONTH_RE.match((value or "").strip())
    if not match:
        raise MonthError(f"“{echo(value)}” is not a month: enter it as YYYY-MM, for example 2025-06.")
    year, month = year_in_range(match[1]), int(match[2])
    if not 1 <= month <= 12:
        raise MonthError(f"“{echo(value)}” is not a month: the month must be from 01 to 12.")
    return datetime.date(year, month, 1)


class MonthField(forms.CharField):
    """A form field for a month written YYYY-MM, cleaned to its first day (empty: None)."""

    def __init__(self, **kwargs):
        super().__init__(strip=True, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return parse_month(value)
        except MonthError:
            raise forms.ValidationError("Enter a month as YYYY-MM, for example 2025-06.") from None
