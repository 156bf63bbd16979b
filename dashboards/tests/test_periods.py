"""The period picker reads months, calendar quarters and April–March financial years."""

import datetime

import pytest

from dashboards.periods import PeriodError, parse_period, period_choices


@pytest.mark.parametrize(
    "text, first, last, months",
    [
        ("2025-06", datetime.date(2025, 6, 1), datetime.date(2025, 6, 1), 1),
        ("2025-Q1", datetime.date(2025, 1, 1), datetime.date(2025, 3, 1), 3),
        ("2025-q4", datetime.date(2025, 10, 1), datetime.date(2025, 12, 1), 3),
        ("FY2025", datetime.date(2025, 4, 1), datetime.date(2026, 3, 1), 12),
    ],
)
def test_periods(text, first, last, months):
    period = parse_period(text)
    assert (period.first, period.last, period.months) == (first, last, months)


def test_financial_year_ends_on_the_last_day_of_march():
    assert parse_period("FY2025").end_day == datetime.date(2026, 3, 31)
    assert "April 2025 to March 2026" in parse_period("FY2025").label


@pytest.mark.parametrize("text", ["", "2025", "2025-00", "2025-13", "2025-Q0", "2025-Q5", "FY", "FY20251", "99-01"])
def test_bad_periods_say_what_to_type(text):
    with pytest.raises(PeriodError) as error:
        parse_period(text)
    assert "2025" in str(error.value) or "month" in str(error.value)


def test_picker_offers_months_quarters_and_years():
    groups = dict(period_choices(datetime.date(2025, 2, 1)))
    assert groups["Months"][0][0] == "2025-02" and len(groups["Months"]) == 12
    assert groups["Quarters"][0][0] == "2025-Q1" and groups["Quarters"][1][0] == "2024-Q4"
    assert groups["Financial years"][0][0] == "FY2024"
