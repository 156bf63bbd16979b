"""One benchmark run over the configured database: seed (or reuse), measure, judge against the bars."""

import datetime
import os
import time
from collections.abc import Callable

from django.core.management import call_command
from django.db import connection

from dashboards.synthetic import (
    SyntheticPlan,
    synthetic_audit_count,
    synthetic_case_count,
    synthetic_exists,
    synthetic_seed,
)

from . import daily, harness, report


class _Say:
    def __init__(self, say: Callable[[str], None]):
        self.say = say

    def write(self, message: str) -> None:
        self.say(message)


def run_benchmark(
    *,
    audits: int,
    seed: int = 1,
    runs: int = 5,
    slice_runs: int = 20,
    page_runs: int = 30,
    import_rows: int = 100_000,
    import_runs: int = 3,
    judgements_share: float = 1.0,
    reuse: bool = False,
    daily_only: bool = False,
    warmup: bool = True,
    fresh_database: Callable[[], None] | None = None,
    say: Callable[[str], None] = print,
) -> dict:
    """Seed `audits` synthetic audits (or reuse them), then measure everything; returns the result.

    `fresh_database` empties the database when its synthetic data cannot be reused (the
    command line drops and re-creates its dedicated database; tests pass their own).
    """
    if connection.vendor != "postgresql":
        raise RuntimeError("The benchmarks need PostgreSQL (the figures are PostgreSQL's); this is SQLite.")
    result: dict = {
        "audits": audits,
        "seed": seed,
        "measured_at": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": harness.machine(),
    }
    reusable = reuse and synthetic_audit_count(seed) == audits and synthetic_case_count(seed) > 0
    if reusable:
        say(f"Reusing the {audits:,} synthetic audits already seeded (seed {seed}).")
        result["seed_seconds"] = None
    else:
        if synthetic_exists():
            if fresh_database is None:
                raise RuntimeError("Other synthetic data is in this database and no way to empty it was given.")
            why = "its synthetic data is of another size or seed" if reuse else "no --reuse"
            say(f"Emptying the database ({why}).")
            fresh_database()
        say(f"Seeding {audits:,} synthetic audits (seed {seed}, judgements share {judgements_share})...")
        started = time.monotonic()
        plan = SyntheticPlan(audits=audits, seed=seed, judgements_share=judgements_share)
        synthetic_seed(plan=plan, stdout=_Say(say))
        result["seed_seconds"] = round(time.monotonic() - started, 1)
    harness.vacuum_analyze()
    result["rows"] = harness.table_counts()

    if not daily_only:
        say("Measuring the roll-ups (full against the bare GROUP BY, then one slice)...")
        result.update(harness.measure_rollups(runs=runs, slice_runs=slice_runs, warmup=warmup))
        say("Measuring the pages and the API...")
        result["pages"] = harness.measure_pages(runs=page_runs, warmup=3 if warmup else 1)
    say("Measuring every daily page per role, and sign-in on its own...")
    result["daily_pages"] = daily.measure_daily_pages(runs=page_runs, warmup=3 if warmup else 1)
    result["sign_in"] = daily.measure_sign_in(runs=min(page_runs, 10))
    if import_rows and import_runs and not daily_only:
        say(f"Measuring import_csv audits on {import_rows:,} rows...")
        result.update(harness.run_import_safely(rows=import_rows, runs=import_runs))
    result["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    result["bars"] = report.bars(result)
    return result


def migrate() -> None:
    call_command("migrate", verbosity=0, interactive=False)
