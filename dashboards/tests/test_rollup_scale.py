"""The roll-up's shortcuts for scale give exactly the figures of the plain way."""

import datetime
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audits.models import Grade
from audits.tests.factories import CompletedAuditFactory, JudgementFactory
from cases.models import ApplicationType, LawType
from cases.tests.factories import CaseFactory
from dashboards import rollup
from dashboards.models import KpiSnapshot
from dashboards.rollup import rollup_all, rollup_slice
from organisation.calendar import working_days_between

pytestmark = pytest.mark.django_db


def collected(scope) -> dict:
    result = rollup._Result()
    rollup._collect_cases(scope, result)
    return {key: {k: v for k, v in counts.items() if v} for key, counts in result.kpis.items() if any(counts.values())}


def care_cases(team, pairs):
    return [
        CaseFactory(
            team=team,
            law_type=LawType.PUBLIC,
            application_type=ApplicationType.S31_CARE,
            received_on=received,
            allocated_on=allocated,
        )
        for received, allocated in pairs
    ]


def test_working_days_to_allocate_are_summed_right_around_bank_holidays(team, other_team):
    rng = random.Random(7)
    pairs = []
    # Christmas, Easter and the August bank holiday, weekends, same-day allocation, long waits.
    for start in [datetime.date(2024, 12, 20), datetime.date(2025, 4, 14), datetime.date(2025, 8, 22)]:
        for _ in range(12):
            received = start + datetime.timedelta(days=rng.randint(0, 10))
            pairs.append((received, received + datetime.timedelta(days=rng.choice([0, 1, 2, 3, 6, 9, 30]))))
    care_cases(team, pairs)
    care_cases(other_team, pairs[:5])
    care_cases(team, [(datetime.date(2025, 1, 6), None)])  # not allocated: counted as received only

    by_key = collected(rollup._Scope())
    total = sum(counts.get("care_working_days_sum", 0) for counts in by_key.values())
    assert total == sum(working_days_between(a, b) for a, b in pairs) + sum(
        working_days_between(a, b) for a, b in pairs[:5]
    )
    # Each slice agrees with the whole.
    for region_id in (team.region_id, other_team.region_id):
        for month in [datetime.date(2024, 12, 1), datetime.date(2025, 1, 1), datetime.date(2025, 4, 1)]:
            scope = rollup._Scope(region_id=region_id, month=month)
            assert collected(scope) == {k: v for k, v in by_key.items() if k[0] == region_id and k[2] == month}


def test_a_cases_working_days_follow_its_dates_whenever_it_is_saved(team):
    (case,) = care_cases(team, [(datetime.date(2025, 12, 23), datetime.date(2025, 12, 29))])
    assert case.allocation_working_days == 2  # 24 Dec and 29 Dec: Christmas and Boxing Day, a weekend
    case.allocated_on = datetime.date(2026, 1, 2)
    case.save(update_fields=["allocated_on"])
    case.refresh_from_db()
    assert case.allocation_working_days == working_days_between(datetime.date(2025, 12, 23), datetime.date(2026, 1, 2))
    case.allocated_on = None
    case.save()
    case.refresh_from_db()
    assert case.allocation_working_days is None


def test_a_rebuild_that_finds_nothing_new_writes_nothing(team, other_team):
    for i, grade in enumerate([Grade.GOOD, Grade.REQUIRES_IMPROVEMENT, Grade.OUTSTANDING]):
        audit = CompletedAuditFactory(
            case__team=team if i % 2 else other_team, overall_grade=grade, completed_on=datetime.date(2025, 6, 2 + i)
        )
        JudgementFactory(audit=audit, grade=grade)
    CaseFactory(team=team, law_type=LawType.PUBLIC, application_type=ApplicationType.S31_CARE)
    rollup_all()

    with CaptureQueriesContext(connection) as queries:
        rollup_all(criteria=False)
        rollup_slice(region_id=team.region_id, month=datetime.date(2025, 6, 1))
    # (The slice still rewrites its few criterion rows: one INSERT … SELECT.)
    tables = ('"dashboards_kpisnapshot"', '"dashboards_moderationsnapshot"')
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].split()[0] in {"INSERT", "UPDATE", "DELETE"} and any(t in q["sql"].split("(")[0] for t in tables)
    ]
    assert writes == []
    assert rollup_all(criteria=False) == KpiSnapshot.objects.count()  # the rows it holds, written or not


def test_only_changed_rows_get_a_new_computed_at(team, other_team):
    CompletedAuditFactory(case__team=team, completed_on=datetime.date(2025, 6, 2))
    CompletedAuditFactory(case__team=other_team, completed_on=datetime.date(2025, 6, 2))
    rollup_all()
    before = {row.team_id: (row.audits, row.computed_at) for row in KpiSnapshot.objects.filter(audits__gt=0)}

    CompletedAuditFactory(case__team=team, completed_on=datetime.date(2025, 6, 9))
    rollup_all(criteria=False)

    after = {row.team_id: (row.audits, row.computed_at) for row in KpiSnapshot.objects.filter(audits__gt=0)}
    assert after[other_team.pk] == before[other_team.pk]
    assert after[team.pk][0] == 2
    assert after[team.pk][1] > before[team.pk][1]
