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


@pytest.mark.parametrize("latest", [datetime.date(2000, 2, 1), datetime.date(2100, 12, 1), datetime.date(2101, 3, 1)])
def test_picker_near_the_ends_of_the_year_range_offers_only_readable_periods(latest):
    # FY2100 ends in March 2101: a page asked for it must still draw its picker.
    groups = dict(period_choices(latest))
    assert groups["Months"]
    for options in groups.values():
        for value, _label in options:
            assert 2000 <= parse_period(value).first.year <= 2100


def test_picker_keeps_an_older_period_on_show_among_its_options():
    groups = dict(period_choices(datetime.date(2025, 6, 1), selected=parse_period("2019-Q2")))
    assert ("2019-Q2", "April to June 2019") in groups["Quarters"]
    assert all(value != "2019-Q2" for value, _ in groups["Months"] + groups["Financial years"])
