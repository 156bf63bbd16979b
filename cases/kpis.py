"""Operational KPIs from case dates: plain functions over a Case queryset, one query each.

Each KPI returns a `Ratio` (numerator, denominator) rather than a percentage, so
roll-ups can sum numerators and denominators across teams, regions and months and
divide once at the end. The window is `start`..`end`, both dates inclusive.

- `care_allocated(cases, start, end)`: care cases (application type `s31_care`)
  received in the window → allocated (have an allocation date) / received.
- `care_working_days_to_allocate(cases, start, end)`: over those care cases that are
  allocated → sum of `working_days_between(received_on, allocated_on)` / how many.
  The mean is numerator / denominator.
- `private_allocated(cases, start, end)`: private law cases received in the window →
  allocated / received.
- `section_7_on_time(cases, start, end)`: `section_7` cases whose report is due in the
  window → filed on or before the due date / due.

`working_days_between(start, end)` counts days d with start < d <= end that are not a
Saturday, Sunday or an England and Wales bank holiday (from the maintained `holidays`
package). A case allocated the day it arrives took 0 working days; one received on a
Friday and allocated the next Monday took 1.
"""

import datetime
from dataclasses import dataclass
from functools import lru_cache

import holidays
from django.db.models import Count, F, Q, QuerySet

from .models import ApplicationType, LawType


@dataclass(frozen=True)
class Ratio:
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        """numerator / denominator, or None when there is nothing to divide by."""
        return self.numerator / self.denominator if self.denominator else None

    @property
    def pct(self) -> float | None:
        return None if self.value is None else 100 * self.value

    def __add__(self, other: "Ratio") -> "Ratio":
        return Ratio(self.numerator + other.numerator, self.denominator + other.denominator)


# ---- working days ----------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[datetime.date]:
    # England and Wales share one list of bank holidays; Scotland and Northern Ireland differ.
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days d with start < d <= end (weekends and England and Wales bank holidays excluded)."""
    if end <= start:
        return 0
    days = 0
    day = start + datetime.timedelta(days=1)
    one = datetime.timedelta(days=1)
    while day <= end:
        if is_working_day(day):
            days += 1
        day += one
    return days


# ---- the KPIs ---------------------------------------------------------------------------------

CARE = Q(application_type=ApplicationType.S31_CARE)
PRIVATE = Q(law_type=LawType.PRIVATE)
ALLOCATED = Q(allocated_on__isnull=False)
SECTION_7 = Q(application_type=ApplicationType.SECTION_7)
FILED_ON_TIME = Q(report_filed_on__isnull=False, report_filed_on__lte=F("report_due_on"))


def _count(cases: QuerySet, condition: Q) -> Ratio:
    counts = cases.order_by().aggregate(denominator=Count("pk"), numerator=Count("pk", filter=condition))
    return Ratio(counts["numerator"], counts["denominator"])


def care_allocated(cases: QuerySet, start: datetime.date, end: datetime.date) -> Ratio:
    """Care (s31) cases received in the window: allocated / received."""
    return _count(cases.filter(CARE, received_on__range=(start, end)), ALLOCATED)


def care_working_days_to_allocate(cases: QuerySet, start: datetime.date, end: datetime.date) -> Ratio:
    """Allocated care cases received in the window: total working days to allocate / how many."""
    pairs = cases.filter(CARE & ALLOCATED, received_on__range=(start, end)).order_by()
    total = count = 0
    for received_on, allocated_on in pairs.values_list("received_on", "allocated_on"):
        total += working_days_between(received_on, allocated_on)
        count += 1
    return Ratio(total, count)


def private_allocated(cases: QuerySet, start: datetime.date, end: datetime.date) -> Ratio:
    """Private law cases received in the window: allocated / received."""
    return _count(cases.filter(PRIVATE, received_on__range=(start, end)), ALLOCATED)


def section_7_on_time(cases: QuerySet, start: datetime.date, end: datetime.date) -> Ratio:
    """Section 7 reports due in the window: filed on or before the due date / due."""
    return _count(cases.filter(SECTION_7, report_due_on__range=(start, end)), FILED_ON_TIME)
