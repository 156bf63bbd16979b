"""Build KPI snapshot rows by hand (one per region/team/month) for plan tests."""

import datetime

from dashboards.models import CriterionSnapshot, KpiSnapshot


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


def criterion(team, month, code, *, good_or_better=0, below_good=0, text="") -> CriterionSnapshot:
    """A criterion snapshot row: judgements of one criterion code, graded is their sum."""
    return CriterionSnapshot.objects.create(
        region=team.region,
        team=team,
        month=month,
        criterion_code=code,
        criterion_text=text or f"The text of {code}",
        graded=good_or_better + below_good,
        below_good=below_good,
    )
