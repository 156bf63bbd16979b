"""Months typed as YYYY-MM and month arithmetic, the one helper every app's month filters use."""

import datetime

import pytest
from django import forms

from organisation.months import MonthError, MonthField, add_months, month_start, next_month, parse_month

D = datetime.date


@pytest.mark.parametrize(
    ("month", "n", "expected"),
    [
        (D(2025, 6, 1), 1, D(2025, 7, 1)),
        (D(2025, 12, 1), 1, D(2026, 1, 1)),
        (D(2025, 1, 31), -1, D(2024, 12, 1)),  # any day of the month: the answer is a first day
        (D(2025, 3, 1), -11, D(2024, 4, 1)),
        (D(2025, 3, 1), 24, D(2027, 3, 1)),
    ],
)
def test_add_months(month, n, expected):
    assert add_months(month, n) == expected


def test_month_start_and_next_month():
    assert month_start(D(2024, 2, 29)) == D(2024, 2, 1)
    assert next_month(D(2024, 2, 29)) == D(2024, 3, 1)
    assert next_month(D(2025, 12, 15)) == D(2026, 1, 1)


def test_parse_month_reads_yyyy_mm():
    assert parse_month(" 2025-06 ") == D(2025, 6, 1)


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("June", "enter it as YYYY-MM"),
        ("2025-6", "enter it as YYYY-MM"),
        ("２０２５-06", "enter it as YYYY-MM"),  # full-width digits are not a month
        ("2025-13", "from 01 to 12"),
        ("1999-12", "between 2000 and 2100"),
    ],
)
def test_parse_month_says_what_is_wrong(typed, says):
    with pytest.raises(MonthError, match=says):
        parse_month(typed)


def test_month_field_cleans_to_the_first_day_or_asks_for_yyyy_mm():
    field = MonthField(required=False)
    assert field.clean("2025-06") == D(2025, 6, 1)
    assert field.clean("") is None
    with pytest.raises(forms.ValidationError, match="Enter a month as YYYY-MM"):
        field.clean("2025-13")
