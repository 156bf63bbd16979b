"""`python -m benchmarks --audits N [--runs K] [--reuse]`: measure against the bars of DESIGN.md.

Uses its own PostgreSQL database (`--db`, default qa_bench) on the server DATABASE_URL
names (default postgres://postgres@127.0.0.1:5432), creating and migrating it when needed,
so a benchmark never touches a working database. Prints a JSON object and a readable
table, and records them in benchmarks/RESULTS.md (one section per N).
"""

import argparse
import json
import os
import sys
from urllib.parse import urlsplit, urlunsplit

DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"


def bench_url(base: str | None, name: str) -> str:
    base = base or DEFAULT_SERVER
    parts = urlsplit(base)
    if parts.scheme not in ("postgres", "postgresql", "pgsql", "postgis"):
        raise SystemExit(
            f"The benchmarks need PostgreSQL, but DATABASE_URL is {parts.scheme or base!r}: "
            "set DATABASE_URL=postgres://USER@HOST:PORT/ANY (the benchmark uses its own database on that server)."
        )
    return urlunsplit(parts._replace(path=f"/{name}"))


def _admin_connection(url: str):
    import psycopg2

    parts = urlsplit(url)
    conn = psycopg2.connect(
        dbname="postgres",
        user=parts.username or "postgres",
        password=parts.password,
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
    )
    conn.autocommit = True
    return conn


def ensure_database(url: str, *, recreate: bool = False) -> None:
    from psycopg2 import sql

    name = urlsplit(url).path.lstrip("/")
    conn = _admin_connection(url)
    try:
        with conn.cursor() as cursor:
            if recreate:
                cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        conn.close()


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    parser.add_argument("--audits", type=int, required=True, help="synthetic completed audits (N)")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the synthetic data (default 1)")
    parser.add_argument("--runs", type=int, default=5, help="runs of the full roll-up and the bare GROUP BY (5)")
    parser.add_argument("--slice-runs", type=int, default=20, help="runs of the one-slice roll-up (20)")
    parser.add_argument("--page-runs", type=int, default=30, help="requests per page (30)")
    parser.add_argument("--import-rows", type=int, default=100_000, help="rows of the audits CSV (100000)")
    parser.add_argument("--import-runs", type=int, default=3, help="runs of the import, 0 to skip (3)")
    parser.add_argument(
        "--judgements-share", type=float, default=1.0, help="share of audits with judgements when seeding (1.0)"
    )
    parser.add_argument("--reuse", action="store_true", help="reuse synthetic data of the same N and seed")
    parser.add_argument("--db", default="qa_bench", help="the dedicated database's name (qa_bench)")
    parser.add_argument(
        "--daily-only",
        action="store_true",
        help="only every daily page per role and sign-in (no roll-ups, no import); implies --no-record",
    )
    parser.add_argument("--no-record", action="store_true", help="do not write benchmarks/RESULTS.md")
    args = parser.parse_args(argv)
    if args.audits < 1 or args.runs < 1 or args.slice_runs < 1 or args.page_runs < 1:
        parser.error("--audits, --runs, --slice-runs and --page-runs must be 1 or more")
    if not 0 <= args.judgements_share <= 1:
        parser.error("--judgements-share must be between 0 and 1")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    url = bench_url(os.environ.get("DATABASE_URL"), args.db)
    ensure_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cafcass_qa.settings.test")

    import django

    django.setup()
    from django.db import connection

    from . import report
    from .runner import migrate, run_benchmark

    if connection.vendor != "postgresql":
        raise SystemExit("The benchmarks need PostgreSQL: the settings in use ignore DATABASE_URL.")

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    def fresh_database() -> None:
        connection.close()
        ensure_database(url, recreate=True)
        migrate()

    say(f"Benchmark database: {args.db}")
    migrate()
    result = run_benchmark(
        audits=args.audits,
        seed=args.seed,
        runs=args.runs,
        slice_runs=args.slice_runs,
        page_runs=args.page_runs,
        import_rows=args.import_rows,
        import_runs=args.import_runs,
        judgements_share=args.judgements_share,
        reuse=args.reuse,
        daily_only=args.daily_only,
        fresh_database=fresh_database,
        say=say,
    )
    print(json.dumps(result, indent=2, default=str))
    print()
    print(report.table(result))
    print()
    print(report.daily_table(result))
    if not args.no_record and not args.daily_only:
        report.record(result)
        say(f"Recorded in {report.RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
