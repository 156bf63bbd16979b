"""The measurements: each function runs against the configured database and returns plain data.

Import this only after Django is set up (`python -m benchmarks` does that). Timings are
wall-clock in this process; every figure is the median of several runs with min and max.
"""

import csv
import datetime
import os
import platform
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext

from audits.models import Audit, AuditStatus, AuditTemplate
from cafcass_qa.memory import freeze_loaded_objects
from cases.models import Case
from dashboards.synthetic import CASE_PREFIX, PREFIX
from organisation.grades import Grade
from organisation.models import Region, User
from organisation.roles import Role

# The bare SQL the full roll-up is measured against: the grades per region, team and month as one
# row per grade (GROUP BY form), and as one row per region, team and month with a FILTER column per
# grade (FILTER form; DESIGN.md: the nightly roll-up within 1.3× of it, a first one within 3×).
RAW_GROUPBY_SQL = (
    "SELECT region_id, team_id, date_trunc('month', completed_on), final_grade, count(*) "
    "FROM audits_audit WHERE status = 'completed' GROUP BY 1, 2, 3, 4"
)
RAW_FILTER_SQL = (
    "SELECT region_id, team_id, date_trunc('month', completed_on), "
    "count(*) FILTER (WHERE final_grade = 4), count(*) FILTER (WHERE final_grade = 3), "
    "count(*) FILTER (WHERE final_grade = 2), count(*) FILTER (WHERE final_grade = 1) "
    "FROM audits_audit WHERE status = 'completed' GROUP BY 1, 2, 3"
)

# What the full roll-up must read, as bare SQL with no Python and no writes: its floor. Not a
# bar of DESIGN.md; it shows how much of the roll-up's time is reading and how much is the rest.
RAW_SOURCES_SQL = [
    # Audits by grade, family feedback and moderation agreement.
    "SELECT a.region_id, a.team_id, date_trunc('month', a.completed_on), count(*), "
    "count(*) FILTER (WHERE a.final_grade = 4), count(*) FILTER (WHERE a.final_grade = 3), "
    "count(*) FILTER (WHERE a.final_grade = 2), count(*) FILTER (WHERE a.final_grade = 1), "
    "count(*) FILTER (WHERE a.family_feedback), count(*) FILTER (WHERE a.moderated_grade IS NOT NULL), "
    "count(*) FILTER (WHERE a.moderated_grade = a.overall_grade) "
    "FROM audits_audit a WHERE a.status = 'completed' GROUP BY 1, 2, 3",
    # The auditor × moderator table of the moderated few.
    "SELECT region_id, team_id, date_trunc('month', completed_on), overall_grade, moderated_grade, count(*) "
    "FROM audits_audit WHERE status = 'completed' AND moderated_grade IS NOT NULL GROUP BY 1, 2, 3, 4, 5",
    # Graded judgements by criterion.
    "SELECT a.region_id, a.team_id, date_trunc('month', a.completed_on), c.code, count(*), "
    "count(*) FILTER (WHERE j.grade < 3), count(*) FILTER (WHERE j.grade = 1) "
    "FROM audits_judgement j JOIN audits_audit a ON a.id = j.audit_id JOIN audits_criterion c ON c.id = j.criterion_id "
    "WHERE a.status = 'completed' AND j.grade IS NOT NULL GROUP BY 1, 2, 3, 4",
    # Case KPIs by month received, and section 7 reports by month due.
    "SELECT region_id, team_id, date_trunc('month', received_on), "
    "count(*) FILTER (WHERE application_type = 's31_care'), "
    "count(*) FILTER (WHERE application_type = 's31_care' AND allocated_on IS NOT NULL), "
    "count(*) FILTER (WHERE law_type = 'private'), "
    "count(*) FILTER (WHERE law_type = 'private' AND allocated_on IS NOT NULL) FROM cases_case GROUP BY 1, 2, 3",
    "SELECT region_id, team_id, date_trunc('month', report_due_on), count(*), "
    "count(*) FILTER (WHERE report_filed_on <= report_due_on) FROM cases_case "
    "WHERE application_type = 'section_7' AND report_due_on IS NOT NULL GROUP BY 1, 2, 3",
]


def summary(values: list[float], digits: int = 3) -> dict:
    """Median, min and max of the runs (and p95 when asked for by the caller)."""
    return {
        "median": round(statistics.median(values), digits),
        "min": round(min(values), digits),
        "max": round(max(values), digits),
        "runs": len(values),
    }


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile: the smallest value with at least `share` of the runs at or below it."""
    ordered = sorted(values)
    rank = max(1, -(-int(share * 100) * len(ordered) // 100))
    return ordered[rank - 1]


def spread_ms(times: list[float]) -> dict:
    """p50, p95, min and max of request times in milliseconds, as every page figure reports them."""
    return {
        "p50_ms": round(percentile(times, 0.5), 1),
        "p95_ms": round(percentile(times, 0.95), 1),
        "min_ms": round(min(times), 1),
        "max_ms": round(max(times), 1),
    }


def timed(fn: Callable) -> tuple[float, object]:
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


# ---- the machine ---------------------------------------------------------------------


def machine() -> dict:
    memory_gib = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_gib = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
        settings = {}
        for name in ("shared_buffers", "work_mem", "max_parallel_workers_per_gather"):
            cursor.execute(f"SHOW {name}")
            settings[name] = cursor.fetchone()[0]
    return {
        "nproc": os.cpu_count(),
        "memory_gib": memory_gib,
        "postgresql": pg_version,
        "postgresql_settings": settings,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "database": connection.settings_dict["NAME"],
    }


def table_counts() -> dict:
    with connection.cursor() as cursor:
        out = {}
        for table in ("cases_case", "audits_audit", "audits_judgement", "audits_moderation"):
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (fixed names)
            out[table] = cursor.fetchone()[0]
    return out


def vacuum_analyze() -> None:
    """Set hint bits and the visibility map after a bulk load, so no run pays for them."""
    # VACUUM cannot run inside a transaction (a test's); ANALYZE alone still gives the planner its statistics.
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        for table in (
            "cases_case",
            "audits_audit",
            "audits_judgement",
            "audits_moderation",
            "audits_learningaction",
            "dashboards_kpisnapshot",
        ):
            cursor.execute(f"{command} {table}")
        # The people too: with the statistics of an empty table the planner joins 2,300 users by a
        # nested loop of sequential scans (the practitioner's list took 90 ms instead of 19).
        for table in ("organisation_user", "organisation_user_groups", "organisation_team", "organisation_region"):
            cursor.execute(f"ANALYZE {table}")


# ---- roll-ups ------------------------------------------------------------------------


def raw_groupby() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(RAW_GROUPBY_SQL)
        return cursor.fetchall()


def raw_filter() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(RAW_FILTER_SQL)
        return cursor.fetchall()


def raw_sources() -> int:
    groups = 0
    with connection.cursor() as cursor:
        for sql in RAW_SOURCES_SQL:
            cursor.execute(sql)
            groups += len(cursor.fetchall())
    return groups


def empty_kpi_group() -> None:
    """Empty the snapshot tables the nightly rebuild writes, as after a bulk load."""
    from dashboards.rollup import KPI_GROUP

    tables = ", ".join(connection.ops.quote_name(family.model._meta.db_table) for family in KPI_GROUP)
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables}")


def _ratio(value: dict, base: dict) -> float | None:
    return round(value["median"] / base["median"], 2) if base["median"] else None


def _busiest_slice():
    """The busiest region-month: the worst case for one slice."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT region_id, date_trunc('month', completed_on)::date AS m, count(*) FROM audits_audit "
            "WHERE status = 'completed' GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 LIMIT 1"
        )
        return cursor.fetchone()


def measure_slices(*, slice_runs: int) -> dict:
    """One slice as a completed audit's task runs it (the KPI group), and its details (a task of their own)."""
    from dashboards.rollup import rollup_slice, rollup_slice_details

    found = _busiest_slice()
    if not found:
        return {"rollup_slice_ms": None, "rollup_slice_details_ms": None}
    region_id, month, audits = found
    where = {
        "region": Region.objects.get(pk=region_id).code,
        "month": month.strftime("%Y-%m"),
        "audits_in_slice": audits,
    }
    rollup_slice(region_id=region_id, month=month)
    kpi = [
        timed(lambda: rollup_slice(region_id=region_id, month=month, details=False))[0] * 1000
        for _ in range(slice_runs)
    ]
    details = [
        timed(lambda: rollup_slice_details(region_id=region_id, month=month))[0] * 1000
        for _ in range(max(3, slice_runs // 4))
    ]
    return {
        "rollup_slice_ms": {**summary(kpi, 1), **where, "what": "rollup_slice(details=False): the KPI group"},
        "rollup_slice_details_ms": {
            **summary(details, 1),
            **where,
            "what": "rollup_slice_details(): criterion, practitioner, characteristic snapshots (no bar)",
        },
    }


def measure_rollups(*, runs: int, slice_runs: int, warmup: bool = True) -> dict:
    """The nightly roll-up against the bare SQL (interleaved, in this process, after one warm-up
    each), a first roll-up on empty snapshot tables, the weekly details rebuild and one slice.

    - `rollup_all(criteria=False, catch_up=False)`: the nightly rebuild of the KPI group (KPI,
      template, moderation, feedback, theme snapshots) over tables that are already full and
      nothing changed: held to 1.3× the FILTER form. (`catch_up` only hands the details of the
      region-months it found changed to their own run; with nothing changed it does nothing.)
    - the same on emptied tables (every row new, as after a bulk load): held to 3× the FILTER form.
    - `rollup_criteria()`: the weekly rebuild of every detail snapshot (it reads every judgement;
      reported, no bar). A first `rollup_all()` (both, not measured) fills what the pages read.
    """
    from dashboards.rollup import rollup_all, rollup_criteria

    raw_times, filter_times, full_times, criteria_times, sources_times = [], [], [], [], []
    first_times, first_filter_times = [], []
    if warmup:
        raw_groupby()
        raw_filter()
    rows_written = rollup_all()  # not measured: fills every snapshot, details included
    for _ in range(runs):
        raw_times.append(timed(raw_groupby)[0])
        filter_times.append(timed(raw_filter)[0])
        sources_times.append(timed(raw_sources)[0])
        full_times.append(timed(lambda: rollup_all(criteria=False, catch_up=False))[0])
        criteria_times.append(timed(rollup_criteria)[0])
    for _ in range(runs):
        empty_kpi_group()
        first_filter_times.append(timed(raw_filter)[0])
        first_times.append(timed(lambda: rollup_all(criteria=False, catch_up=False))[0])
    raw, raw_filtered, full = summary(raw_times), summary(filter_times), summary(full_times)
    first, first_filtered = summary(first_times), summary(first_filter_times)
    return {
        "rollup_full_s": {
            **full,
            "kpi_rows": rows_written,
            "what": "rollup_all(criteria=False): KPI, template, moderation, feedback, theme snapshots; nothing changed",
        },
        "raw_groupby_s": {**raw, "groups": len(raw_groupby())},
        "raw_filter_s": {**raw_filtered, "groups": len(raw_filter())},
        "rollup_to_raw_ratio": _ratio(full, raw),
        "rollup_to_filter_ratio": _ratio(full, raw_filtered),
        "rollup_first_s": {**first, "what": "the same on emptied snapshot tables: every row written"},
        "raw_filter_beside_first_s": first_filtered,
        "first_to_filter_ratio": _ratio(first, first_filtered),
        "rollup_criteria_s": {**summary(criteria_times), "what": "rollup_criteria(): every detail snapshot"},
        "raw_all_sources_s": summary(sources_times),
        **measure_slices(slice_runs=slice_runs),
    }


# ---- pages ---------------------------------------------------------------------------


def _viewer(role: str, region=None) -> User:
    """A synthetic person with `role` (the seed makes one of each); made here if the data has none."""
    qs = User.objects.filter(username__startswith=PREFIX, groups__name=role, is_active=True)
    if region is not None:
        qs = qs.filter(region=region)
    user = qs.order_by("pk").first()
    if user is None:
        user = User.objects.create(username=f"{PREFIX}bench-{role}", region=region, password="!bench")  # noqa: S106
        user.groups.add(Group.objects.get(name=role))
    return user


def _last_month() -> datetime.date:
    latest = (
        Audit.objects.filter(status=AuditStatus.COMPLETED)
        .order_by("-completed_on")
        .values_list("completed_on", flat=True)[:1]
    )
    day = latest[0] if latest else datetime.date.today()
    return day.replace(day=1)


def page_targets() -> list[dict]:
    """The national page, the busiest region's page and the API over the last 12 months of data."""
    to_month = _last_month()
    from_month = datetime.date(to_month.year - 1, to_month.month, 1) + datetime.timedelta(days=31)
    from_month = from_month.replace(day=1)  # 12 months, both ends inclusive
    busiest = (
        Audit.objects.filter(status=AuditStatus.COMPLETED)
        .values("region")
        .annotate(n=Count("id"))
        .order_by("-n", "region")
        .values_list("region", flat=True)
        .first()
    )
    region = Region.objects.filter(pk=busiest).first() or Region.objects.order_by("code").first()
    director = _viewer(Role.ASSISTANT_DIRECTOR)
    manager = _viewer(Role.SERVICE_MANAGER, region=region) if region else director
    api = f"/api/v1/kpis/?from={from_month:%Y-%m}&to={to_month:%Y-%m}"
    return [
        {"name": "national_page", "path": "/dashboards/", "user": director},
        {"name": "region_page", "path": f"/dashboards/regions/{region.code}/" if region else None, "user": manager},
        {"name": "api_kpis", "path": api, "user": director},
    ]


def measure_pages(*, runs: int, warmup: int = 3) -> dict:
    """Server time through Django's test client (no network), and the SQL queries of one request."""
    freeze_loaded_objects()  # as the gunicorn workers do (cafcass_qa/wsgi.py)
    out = {}
    for target in page_targets():
        path = target["path"]
        if not path:
            continue
        client = Client()
        client.force_login(target["user"])
        status = None
        for _ in range(warmup):
            status = client.get(path).status_code
        with CaptureQueriesContext(connection) as queries:
            status = client.get(path).status_code
        # Count now: the log is cleared when the next request starts.
        query_count = len(queries.captured_queries)
        times = []
        for _ in range(runs):
            elapsed, response = timed(lambda client=client, path=path: client.get(path))
            times.append(elapsed * 1000)
            status = response.status_code
        out[target["name"]] = {
            "path": path,
            "as": target["user"].username,
            "status": status,
            **spread_ms(times),
            "runs": runs,
            "queries": query_count,
        }
    return out


# ---- CSV import ----------------------------------------------------------------------


def write_audits_csv(path: Path, *, rows: int, seed: int = 7) -> int:
    """A historic-audits CSV (DESIGN.md columns) against the synthetic cases, valid in every row.

    Each row is a different case, so no row repeats another's natural key; a key that a
    synthetic audit already has is moved to the next day.
    """
    rng = random.Random(seed)
    today = datetime.date.today()
    cases = list(
        Case.objects.filter(reference__startswith=CASE_PREFIX, practitioner__isnull=False)
        .order_by("pk")
        .values_list("pk", "reference", "region_id", "received_on")
    )
    if not cases:
        raise RuntimeError("No synthetic cases: seed first.")
    chosen = rng.sample(cases, min(rows, len(cases)))
    auditors: dict[int, list[tuple[int, str]]] = {}
    for pk, username, region_id in User.objects.filter(
        username__startswith=PREFIX, groups__name=Role.AUDITOR
    ).values_list("pk", "username", "region_id"):
        auditors.setdefault(region_id, []).append((pk, username))
    template = "" if AuditTemplate.objects.filter(slug="standard", is_current=True).exists() else "synthetic"
    taken = set(
        Audit.objects.filter(case_id__in=[c[0] for c in chosen]).values_list("case_id", "auditor_id", "completed_on")
    )
    labels = {g: Grade(g).label for g in Grade.values}
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["case_reference", "template", "auditor_username", "completed_on", "overall_grade", "family_feedback"]
        )
        for case_id, reference, region_id, received_on in chosen:
            first = min(today, received_on + datetime.timedelta(days=rng.randint(14, 300)))
            region_auditors = auditors[region_id]
            start = rng.randrange(len(region_auditors))
            for attempt in range(len(region_auditors)):  # another auditor when the days up to today are taken
                auditor_id, username = region_auditors[(start + attempt) % len(region_auditors)]
                day = first
                while (case_id, auditor_id, day) in taken and day < today:
                    day += datetime.timedelta(days=1)
                if (case_id, auditor_id, day) not in taken:
                    break
            u = rng.random()
            grade = 1 if u < 0.07 else 2 if u < 0.37 else 3 if u < 0.9 else 4
            writer.writerow(
                [reference, template, username, day.isoformat(), labels[grade], "yes" if rng.random() < 0.5 else "no"]
            )
    return len(chosen)


def _import(path: Path, *, dry_run: bool) -> None:
    args = ["audits", str(path)] + (["--dry-run"] if dry_run else [])
    with open(os.devnull, "w") as devnull:
        call_command("import_csv", *args, stdout=devnull, stderr=devnull)


def measure_import(*, rows: int, runs: int) -> dict:
    """Rows per second of `import_csv audits` on a valid file: the real write path inside a
    transaction that is rolled back afterwards (so the dataset never changes), and --dry-run."""
    from organisation.management.commands import import_csv  # noqa: F401 (fails clearly when missing)

    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "audits.csv"
        written = write_audits_csv(path, rows=rows)
        before = Audit.objects.count()
        real, dry = [], []
        for _ in range(runs):
            with transaction.atomic():
                elapsed, _ = timed(lambda: _import(path, dry_run=False))
                transaction.set_rollback(True)
            real.append(written / elapsed)
            dry.append(written / timed(lambda: _import(path, dry_run=True))[0])
        if Audit.objects.count() != before:
            raise RuntimeError("The import benchmark changed the dataset: it must roll back.")
    return {
        "import_audits_rows_per_s": {
            **summary(real, 0),
            "rows": written,
            "mode": "full import (writes, history rows, case updates) inside a transaction rolled back afterwards",
        },
        "import_audits_dry_run_rows_per_s": {**summary(dry, 0), "rows": written, "mode": "--dry-run (validation)"},
    }


def run_import_safely(*, rows: int, runs: int) -> dict:
    try:
        return measure_import(rows=rows, runs=runs)
    except (ImportError, CommandError, RuntimeError) as exc:
        return {"import_audits_rows_per_s": {"error": f"{type(exc).__name__}: {exc}"}}
