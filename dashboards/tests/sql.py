"""Which tables a block of captured SQL read: the proof that dashboards read snapshots only."""

import re

TABLE_RE = re.compile(r'\b(?:FROM|JOIN|UPDATE|INTO)\s+"?([a-z0-9_]+)"?', re.IGNORECASE)
# Source tables the dashboards must never read: they may hold a million audits.
SOURCE_PREFIXES = ("audits_", "cases_", "feedback_")


def tables_read(queries) -> set[str]:
    """Table names after FROM/JOIN/UPDATE/INTO in CaptureQueriesContext.captured_queries."""
    return {name.lower() for q in queries for name in TABLE_RE.findall(q["sql"])}


def source_tables(queries) -> set[str]:
    return {t for t in tables_read(queries) if t.startswith(SOURCE_PREFIXES)}
