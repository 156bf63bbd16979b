"""The benchmark at small N: it runs end to end, and the roll-up's figures equal the bare SQL's.

No timing is ever asserted here: the figures that matter come from `python -m benchmarks`.
"""

import datetime
from collections import defaultdict

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from benchmarks import report
from benchmarks.runner import run_benchmark
from organisation.calendar import working_days_between

pytestmark = pytest.mark.django_db

SMALL_N = 4000  # ~3,000 cases and 4,000 audits: seeds in seconds, rolls up in well under a minute
UNTIL = "2026-06"


def _raw_grade_counts() -> dict:
    """(region, team, month) -> {grade: count} by the bare GROUP BY over the audits themselves."""
    out = defaultdict(dict)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT region_id, team_id, date_trunc('month', completed_on)::date, final_grade, count(*) "
            "FROM audits_audit WHERE status = 'completed' GROUP BY 1, 2, 3, 4"
        )
        for region_id, team_id, month, grade, n in cursor.fetchall():
            out[(region_id, team_id, month)][grade] = n
    return dict(out)


def _snapshot_grade_counts() -> dict:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT region_id, team_id, month, requires_improvement, meets_standard, good, outstanding, audits "
            "FROM dashboards_kpisnapshot WHERE audits > 0"
        )
        out = {}
        for region_id, team_id, month, ri, ms, good, outstanding, audits in cursor.fetchall():
            assert audits == ri + ms + good + outstanding
            out[(region_id, team_id, month)] = {g: n for g, n in ((1, ri), (2, ms), (3, good), (4, outstanding)) if n}
    return out


def test_benchmark_runs_and_rollup_equals_bare_group_by():
    result = run_benchmark(
        audits=SMALL_N,
        runs=1,
        slice_runs=2,
        page_runs=2,
        import_rows=300,
        import_runs=1,
        warmup=False,
        say=lambda message: None,
    )

    # It ran: every figure is there, every page answered, the import measured something.
    for key in ("rollup_full_s", "raw_groupby_s", "rollup_slice_ms", "import_audits_rows_per_s"):
        assert result[key] and "error" not in result[key], key
    assert result["rollup_to_raw_ratio"] is not None
    assert {name: page["status"] for name, page in result["pages"].items()} == {
        "national_page": 200,
        "region_page": 200,
        "api_kpis": 200,
    }
    assert set(result["bars"]) >= {"rollup_full_within_2x_raw", "rollup_slice_under_100ms"}
    assert "rollup_full_s" in report.table(result)

    # The roll-up's figures equal the bare SQL's, per region, team, month and grade.
    raw = _raw_grade_counts()
    assert sum(sum(grades.values()) for grades in raw.values()) == SMALL_N
    assert _snapshot_grade_counts() == raw

    # Moderation, from the moderations themselves (the roll-up reads the grade copied onto the audit).
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.region_id, a.team_id, date_trunc('month', a.completed_on)::date, count(*), "
            "count(*) FILTER (WHERE m.grade = a.overall_grade) FROM audits_moderation m "
            "JOIN audits_audit a ON a.id = m.audit_id WHERE m.completed_at IS NOT NULL GROUP BY 1, 2, 3"
        )
        moderated = {(r, t, mo): (n, agree) for r, t, mo, n, agree in cursor.fetchall()}
        cursor.execute(
            "SELECT region_id, team_id, month, moderated, moderated_agree FROM dashboards_kpisnapshot "
            "WHERE moderated > 0"
        )
        assert {(r, t, mo): (n, agree) for r, t, mo, n, agree in cursor.fetchall()} == moderated
    assert moderated  # the synthetic data has moderations

    # Working days to allocate care cases, counted day by day from the cases' own dates.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT received_on, allocated_on FROM cases_case "
            "WHERE application_type = 's31_care' AND allocated_on IS NOT NULL"
        )
        expected = sum(working_days_between(received, allocated) for received, allocated in cursor.fetchall())
        cursor.execute("SELECT SUM(care_working_days_sum) FROM dashboards_kpisnapshot")
        assert cursor.fetchone()[0] == expected
    assert expected > 0


def _grade_totals_by_region() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.code, a.final_grade, count(*), sum(a.family_feedback::int) FROM audits_audit a "
            "JOIN organisation_region r ON r.id = a.region_id GROUP BY 1, 2 ORDER BY 1, 2"
        )
        return cursor.fetchall()


def _counts() -> dict:
    with connection.cursor() as cursor:
        out = {}
        for table in ("cases_case", "audits_audit", "audits_judgement", "audits_moderation", "cases_child"):
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (fixed names)
            out[table] = cursor.fetchone()[0]
    return out


def test_seed_synthetic_is_deterministic_for_a_seed_and_refuses_to_duplicate():
    call_command("seed_synthetic", "--audits", "900", "--seed", "5", "--until", UNTIL, stdout=None)
    first = (_counts(), _grade_totals_by_region())
    # 900 completed audits, and open ones (scheduled or in progress) of open cases on top
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FILTER (WHERE status = 'completed'), count(*) FROM audits_audit")
        completed, every = cursor.fetchone()
    assert completed == 900 and every > 900
    assert first[0]["cases_case"] == 3000  # the minimum number of cases
    assert first[0]["audits_judgement"] > 900 * 10  # every audit has its judgements by default

    with pytest.raises(CommandError, match="--reset"):
        call_command("seed_synthetic", "--audits", "900", "--seed", "5", "--until", UNTIL)
    assert _counts() == first[0]  # nothing duplicated

    call_command("seed_synthetic", "--audits", "900", "--seed", "5", "--until", UNTIL, "--reset")
    assert (_counts(), _grade_totals_by_region()) == first

    call_command("seed_synthetic", "--audits", "900", "--seed", "6", "--until", UNTIL, "--reset")
    assert _grade_totals_by_region() != first[1]


def test_seed_synthetic_keeps_audits_within_the_window_and_after_receipt():
    call_command("seed_synthetic", "--audits", "600", "--until", UNTIL, "--years", "2")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT min(a.completed_on), max(a.completed_on), "
            "count(*) FILTER (WHERE a.completed_on < c.received_on), "
            "count(*) FILTER (WHERE a.region_id <> c.region_id OR a.team_id <> c.team_id "
            "OR a.practitioner_id <> c.practitioner_id OR a.auditor_id = c.practitioner_id) "
            "FROM audits_audit a JOIN cases_case c ON c.id = a.case_id"
        )
        first, last, before_receipt, misplaced = cursor.fetchone()
    assert first >= datetime.date(2024, 7, 1)
    assert last <= datetime.date(2026, 6, 30)
    assert before_receipt == 0
    assert misplaced == 0


def test_seed_synthetic_rejects_bad_input_with_a_clear_message():
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("seed_synthetic", "--audits", "10", "--until", "June")
    with pytest.raises(CommandError, match="from 0 to 1"):
        call_command("seed_synthetic", "--audits", "10", "--judgements-share", "2")
