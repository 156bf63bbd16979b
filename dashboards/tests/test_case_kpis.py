"""The roll-up's case KPIs on hand-built cases around bank holidays (moved from cases/tests/test_kpis.py,
whose KPI functions only the tests used). Expected values are worked out by hand, or by
`case_kpis_from_rows` below: plain Python over the cases' own dates, independent of the roll-up's SQL."""

import datetime
import random
from collections import defaultdict

import pytest

from cases.models import ApplicationType, Case, LawType
from cases.tests.factories import CaseFactory
from dashboards.models import KpiSnapshot
from dashboards.rollup import rollup_all

pytestmark = pytest.mark.django_db

D = datetime.date
APRIL = D(2025, 4, 1)
CASE_KPIS = ["care_received", "care_allocated", "care_working_days_sum", "private_received", "private_allocated"]
S7_KPIS = ["s7_due", "s7_on_time"]


def case_kpis_from_rows(cases) -> dict[tuple[int, datetime.date], dict[str, int]]:
    """(team id, month) -> the case KPI counts, from each case's row: care and private law cases by
    month received (allocated = has an allocation date; working days as stored on the case), section 7
    reports by month due (on time = filed on or before the due date)."""
    out: dict = defaultdict(lambda: dict.fromkeys(CASE_KPIS + S7_KPIS, 0))
    for case in cases:
        received = out[(case.team_id, case.received_on.replace(day=1))]
        allocated = case.allocated_on is not None
        if case.application_type == ApplicationType.S31_CARE:
            received["care_received"] += 1
            received["care_allocated"] += allocated
            received["care_working_days_sum"] += case.allocation_working_days or 0
        if case.law_type == LawType.PRIVATE:
            received["private_received"] += 1
            received["private_allocated"] += allocated
        if case.application_type == ApplicationType.SECTION_7 and case.report_due_on:
            due = out[(case.team_id, case.report_due_on.replace(day=1))]
            due["s7_due"] += 1
            due["s7_on_time"] += bool(case.report_filed_on and case.report_filed_on <= case.report_due_on)
    return {key: counts for key, counts in out.items() if any(counts.values())}


def snapshot_kpis() -> dict[tuple[int, datetime.date], dict[str, int]]:
    rows = KpiSnapshot.objects.values("team_id", "month", *CASE_KPIS, *S7_KPIS)
    out = {(r.pop("team_id"), r.pop("month")): r for r in rows}
    return {key: counts for key, counts in out.items() if any(counts.values())}


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
    care("C-E", D(2025, 3, 31), D(2025, 4, 1), team=team)  # received before April: in March's row
    private("P-G", D(2025, 4, 2), D(2025, 4, 3), team=team)
    private("P-H", D(2025, 4, 30), D(2025, 5, 6), team=team)  # allocated after April: still allocated
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
    s7("S-M", D(2025, 5, 1), D(2025, 4, 20), team=team)  # due in May


def april(team) -> KpiSnapshot:
    return KpiSnapshot.objects.get(team=team, month=APRIL)


def test_care_allocated_counts_care_cases_received_in_the_month(caseload, team):
    rollup_all()
    row = april(team)
    assert (row.care_allocated, row.care_received) == (3, 4)  # C-A, C-B, C-C allocated of C-A..C-D


def test_care_working_days_to_allocate_sums_working_days(caseload, team):
    rollup_all()
    row = april(team)
    assert (row.care_working_days_sum, row.care_allocated) == (1 + 3 + 0, 3)
    march = KpiSnapshot.objects.get(team=team, month=D(2025, 3, 1))
    assert (march.care_received, march.care_allocated, march.care_working_days_sum) == (1, 1, 1)  # C-E


def test_private_allocated_counts_private_law_received_in_the_month(caseload, team):
    rollup_all()
    row = april(team)
    # P-G, P-H, P-I are private child arrangements; S-J..S-M were received in January.
    assert (row.private_allocated, row.private_received) == (2, 3)


def test_section_7_on_time_is_filed_on_or_before_due(caseload, team):
    rollup_all()
    row = april(team)
    assert (row.s7_on_time, row.s7_due) == (1, 3)  # S-J on time; S-K late; S-L not filed
    may = KpiSnapshot.objects.get(team=team, month=D(2025, 5, 1))
    assert (may.s7_on_time, may.s7_due) == (1, 1)  # S-M, filed early


def test_cases_count_in_their_own_team(caseload, team, other_team):
    care("C-OTHER", D(2025, 4, 17), None, team=other_team)
    rollup_all()
    other = april(other_team)
    assert (other.care_allocated, other.care_received) == (0, 1)
    assert (april(team).care_allocated, april(team).care_received) == (3, 4)


def test_the_roll_up_agrees_with_counting_row_by_row(team, other_team):
    rng = random.Random(12)
    kinds = [
        (LawType.PUBLIC, ApplicationType.S31_CARE),
        (LawType.PRIVATE, ApplicationType.CHILD_ARRANGEMENTS),
        (LawType.PRIVATE, ApplicationType.SECTION_7),
        (LawType.PUBLIC, ApplicationType.ADOPTION),
    ]
    for i in range(60):
        law, application = rng.choice(kinds)
        received = D(2025, 3, 20) + datetime.timedelta(days=rng.randint(0, 70))  # Easter and the May holidays
        due = received + datetime.timedelta(weeks=rng.randint(2, 8))
        CaseFactory(
            reference=f"R-{i:03d}",
            team=rng.choice([team, other_team]),
            law_type=law,
            application_type=application,
            received_on=received,
            allocated_on=rng.choice([None, received, received + datetime.timedelta(days=rng.randint(1, 12))]),
            report_due_on=due,
            report_filed_on=rng.choice([None, due, due + datetime.timedelta(days=3), due - datetime.timedelta(days=5)]),
        )
    rollup_all()
    assert snapshot_kpis() == case_kpis_from_rows(Case.objects.all())
