"""Build KPI snapshot rows by hand (one per region/team/month) for plan tests."""

import datetime

from dashboards.models import KpiSnapshot


def snapshot(team, month: datetime.date, **counts) -> KpiSnapshot:
    return KpiSnapshot.objects.create(region=team.region, team=team, month=month, **counts)


def graded(team, month, *, outstanding=0, good=0, meets=0, ri=0, family_feedback=0) -> KpiSnapshot:
    """A snapshot row of audits by grade; audits is their sum."""
    return snapshot(
        team,
        month,
        audits=outstanding + good + meets + ri,
        outstanding=outstanding,
        good=good,
        meets_standard=meets,
        requires_improvement=ri,
        family_feedback=family_feedback,
    )
