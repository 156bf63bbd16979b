"""Operational KPIs on hand-built cases around bank holidays; expected values worked out by hand."""

import datetime

import pytest

from cases.kpis import (
    Ratio,
    care_allocated,
    care_working_days_to_allocate,
    private_allocated,
    section_7_on_time,
    working_days_between,
)
from cases.models import ApplicationType, Case, LawType
from cases.tests.factories import CaseFactory

D = datetime.date
APRIL = (D(2025, 4, 1), D(2025, 4, 30))


# ---- working days -----------------------------------------------------------------------------


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
        (D(2025, 4, 22), D(2025, 4, 17), 0, "end before start"),
    ],
)
def test_working_days_between(start, end, expected, why):
    assert working_days_between(start, end) == expected, why


# ---- the KPIs ---------------------------------------------------------------------------------


def care(ref, received, allocated=None, **kw):
    return CaseFactory(
        reference=ref,
        law_type=LawType.PUBLIC,
        application_type=ApplicationType.S31_CARE,
        received_on=received,
        allocated_on=allocated,
        report_due_on=None,
        **kw,
    )


def private(ref, received, allocated=None, **kw):
    return CaseFactory(
        reference=ref,
        law_type=LawType.PRIVATE,
        application_type=ApplicationType.CHILD_ARRANGEMENTS,
        received_on=received,
        allocated_on=allocated,
        report_due_on=None,
        **kw,
    )


def s7(ref, due, filed=None, **kw):
    return CaseFactory(
        reference=ref,
        law_type=LawType.PRIVATE,
        application_type=ApplicationType.SECTION_7,
        received_on=D(2025, 1, 6),
        allocated_on=D(2025, 1, 7),
        report_due_on=due,
        report_filed_on=filed,
        **kw,
    )


@pytest.fixture
def caseload(team):
    care("C-A", D(2025, 4, 17), D(2025, 4, 22), team=team)  # 1 working day (Easter)
    care("C-B", D(2025, 4, 16), D(2025, 4, 23), team=team)  # 3 working days
    care("C-C", D(2025, 4, 17), D(2025, 4, 17), team=team)  # 0: same day
    care("C-D", D(2025, 4, 28), None, team=team)  # not yet allocated
    care("C-E", D(2025, 3, 31), D(2025, 4, 1), team=team)  # received before the window
    private("P-G", D(2025, 4, 2), D(2025, 4, 3), team=team)
    private("P-H", D(2025, 4, 30), D(2025, 5, 6), team=team)  # allocated after the window: still allocated
    private("P-I", D(2025, 4, 10), None, team=team)
    CaseFactory(  # public law but not care: in neither figure
        reference="X-ADOPT",
        law_type=LawType.PUBLIC,
        application_type=ApplicationType.ADOPTION,
        received_on=D(2025, 4, 10),
        allocated_on=None,
        report_due_on=None,
        team=team,
    )
    s7("S-J", D(2025, 4, 22), D(2025, 4, 22), team=team)  # filed on the due date: on time
    s7("S-K", D(2025, 4, 17), D(2025, 4, 22), team=team)  # late
    s7("S-L", D(2025, 4, 30), None, team=team)  # not filed
    s7("S-M", D(2025, 5, 1), D(2025, 4, 20), team=team)  # due after the window


pytestmark = pytest.mark.django_db


def test_care_allocated_counts_care_cases_received_in_the_window(caseload, django_assert_num_queries):
    with django_assert_num_queries(1):
        ratio = care_allocated(Case.objects.all(), *APRIL)
    assert ratio == Ratio(3, 4)  # C-A, C-B, C-C allocated of C-A..C-D


def test_care_working_days_to_allocate_sums_working_days(caseload, django_assert_num_queries):
    with django_assert_num_queries(1):
        ratio = care_working_days_to_allocate(Case.objects.all(), *APRIL)
    assert ratio == Ratio(1 + 3 + 0, 3)
    assert ratio.value == pytest.approx(4 / 3)


def test_private_allocated_counts_private_law_received_in_the_window(caseload, django_assert_num_queries):
    with django_assert_num_queries(1):
        ratio = private_allocated(Case.objects.all(), *APRIL)
    # P-G, P-H, P-I are private child arrangements; S-J..S-M were received in January.
    assert ratio == Ratio(2, 3)


def test_section_7_on_time_is_filed_on_or_before_due(caseload, django_assert_num_queries):
    with django_assert_num_queries(1):
        ratio = section_7_on_time(Case.objects.all(), *APRIL)
    assert ratio == Ratio(1, 3)  # S-J on time; S-K late; S-L not filed
    assert ratio.pct == pytest.approx(100 / 3)


def test_kpis_respect_the_queryset_they_are_given(caseload, other_team):
    care("C-OTHER", D(2025, 4, 17), None, team=other_team)
    assert care_allocated(Case.objects.filter(region=other_team.region), *APRIL) == Ratio(0, 1)
    assert care_allocated(Case.objects.all(), *APRIL) == Ratio(3, 5)


def test_ratios_sum_for_roll_ups():
    assert Ratio(3, 4) + Ratio(1, 6) == Ratio(4, 10)
    assert Ratio(0, 0).pct is None
