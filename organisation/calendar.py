"""Working days: Monday to Friday, less England and Wales bank holidays, from the pinned `holidays` package.

The one place the service counts working days (complaint deadlines, audit due dates, hand-over
reminders, days to allocate a case, escalation of overdue work). Bank holidays are not working
days: Cafcass offices are closed on them, so a deadline never lands on one.

- `add_working_days(day, n)`: the n-th working day after `day`; `day` itself never counts (n <= 0: `day`).
- `next_working_day(day)`: `day` if it is a working day, else the first working day after it.
- `working_days_between(start, end)`: working days d with start < d <= end (0 when end <= start),
  so a case allocated the day it arrives took 0 working days; Friday to Monday is 1.
"""

import datetime
import threading
from functools import lru_cache

import holidays

# England and Wales share one list of bank holidays (subdivision ENG); Scotland and Northern Ireland differ.
# The calendar fills in years as it is asked about them (expand=True), under a lock since that mutates it.
_CALENDAR = holidays.country_holidays("GB", subdiv="ENG")
_LOCK = threading.Lock()
_ONE_DAY = datetime.timedelta(days=1)


def is_working_day(day: datetime.date) -> bool:
    with _LOCK:
        return _CALENDAR.is_working_day(day)


@lru_cache(maxsize=65536)  # pure in its arguments; synthetic data and the demo ask the same questions many times
def add_working_days(day: datetime.date, n: int) -> datetime.date:
    """The n-th working day after `day` (weekends and England and Wales bank holidays skipped)."""
    if n < 1:
        return day
    with _LOCK:
        return _CALENDAR.get_nth_working_day(day, n)


def next_working_day(day: datetime.date) -> datetime.date:
    """`day` when it is a working day, otherwise the first working day after it."""
    with _LOCK:
        return _CALENDAR.get_nth_working_day(day, 0)


@lru_cache(maxsize=65536)
def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days d with start < d <= end (weekends and England and Wales bank holidays excluded)."""
    if end <= start:
        return 0
    with _LOCK:
        return _CALENDAR.get_working_days_count(start + _ONE_DAY, end)
