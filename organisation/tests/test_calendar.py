"""Working days around England and Wales bank holidays; expected values worked out by hand from the calendar."""

import datetime

import pytest

from organisation.calendar import add_working_days, is_working_day, next_working_day, working_days_between

D = datetime.date


@pytest.mark.parametrize(
    ("start", "end", "expected", "why"),
    [
        (D(2025, 4, 17), D(2025, 4, 17), 0, "allocated the day it arrived"),
        (D(2025, 4, 14), D(2025, 4, 15), 1, "Monday to Tuesday"),
        (D(2025, 4, 11), D(2025, 4, 14), 1, "Friday to Monday: the weekend does not count"),
        # Thu 17 Apr -> Tue 22 Apr 2025: Fri 18 Good Friday, Sat, Sun, Mon 21 Easter Monday, Tue 22.
        (D(2025, 4, 17), D(2025, 4, 22), 1, "over the Easter bank holiday weekend"),
        # Wed 16 -> Wed 23 Apr 2025: Thu 17, Tue 22, Wed 23 count.
        (D(2025, 4, 16), D(2025, 4, 23), 3, "a week spanning Easter"),
        # Fri 22 Aug -> Tue 26 Aug 2025: Sat, Sun, Mon 25 (summer bank holiday), Tue 26.
        (D(2025, 8, 22), D(2025, 8, 26), 1, "over the August bank holiday"),
        # Wed 24 Dec 2025 -> Fri 2 Jan 2026: 25, 26 Dec and 1 Jan are bank holidays; 29, 30, 31 Dec, 2 Jan count.
        (D(2025, 12, 24), D(2026, 1, 2), 4, "Christmas into the new year"),
        # Fri 24 Dec 2021 -> Wed 29 Dec 2021: Christmas and Boxing Day fell at the weekend, so the
        # bank holidays were Mon 27 and Tue 28 (substitute days); only Wed 29 counts.
        (D(2021, 12, 24), D(2021, 12, 29), 1, "substitute bank holidays after a weekend Christmas"),
        (D(2025, 4, 22), D(2025, 4, 17), 0, "end before start"),
    ],
)
def test_working_days_between(start, end, expected, why):
    assert working_days_between(start, end) == expected, why


@pytest.mark.parametrize(
    ("day", "n", "expected", "why"),
    [
        (D(2025, 5, 2), 1, D(2025, 5, 6), "Friday + 1 skips the weekend and the early May bank holiday"),
        (D(2025, 4, 14), 5, D(2025, 4, 23), "Mon 14 Apr + 5: Good Friday and Easter Monday skipped"),
        (D(2025, 4, 19), 1, D(2025, 4, 22), "from a Saturday: the first working day after"),
        (D(2025, 6, 2), 20, D(2025, 6, 30), "twenty working days in June 2025, no bank holiday"),
        (D(2025, 6, 2), 0, D(2025, 6, 2), "no days to add: the day itself"),
    ],
)
def test_add_working_days(day, n, expected, why):
    assert add_working_days(day, n) == expected, why


def test_the_nth_working_day_after_is_n_working_days_between():
    day = D(2025, 12, 19)
    for n in range(1, 15):
        assert working_days_between(day, add_working_days(day, n)) == n


def test_next_working_day_and_is_working_day():
    assert next_working_day(D(2025, 12, 25)) == D(2025, 12, 29)  # Christmas, Boxing Day, the weekend
    assert next_working_day(D(2025, 12, 24)) == D(2025, 12, 24)
    assert not is_working_day(D(2025, 8, 25))  # summer bank holiday
    assert not is_working_day(D(2025, 8, 23))  # Saturday
    assert is_working_day(D(2025, 8, 26))
