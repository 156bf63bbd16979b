"""Benchmarks of the roll-ups, dashboard pages, API and CSV import at national scale.

`python -m benchmarks --audits N [--runs K] [--reuse]` (or `make bench BENCH_ARGS=...`):
seeds a dedicated PostgreSQL database with synthetic data, measures, prints a JSON object
and a table, and records the figures in benchmarks/RESULTS.md. Never run by timed tests:
benchmarks/tests/test_smoke.py only checks that it runs and that the figures agree.
"""
