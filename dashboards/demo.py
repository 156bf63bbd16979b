"""Demo figures: roll the demo audits and cases up into the snapshot tables (idempotent)."""

from .models import KpiSnapshot
from .rollup import rollup_all


def seed(*, stdout, rng) -> dict:
    rows = rollup_all()
    stdout.write(f"  dashboards: rolled up {rows} KPI snapshot rows ({KpiSnapshot.objects.count()} in total)")
    return {}
