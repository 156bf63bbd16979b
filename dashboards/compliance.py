"""Practitioner compliance: each practitioner's completed audits in a rolling 12 months against
their own target (8, or 4 where collaborative feedback applies), and a team's or region's
compliance as the share of its practitioners on course — a share of people, so never above 100%.

The rolling 12 months end with the period's last month, or with this month when the period runs
into the future (months to come are never counted or shown). On course = audits in those 12
months at least the target; behind otherwise. Counts come from the practitioner snapshots.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from organisation.models import User
from organisation.roles import Role

from . import selectors
from .periods import add_months

TARGET = 8
TARGET_COLLABORATIVE = 4


@dataclass(frozen=True)
class PractitionerCompliance:
    id: int
    name: str
    username: str
    team_id: int | None
    target: int
    audits: int

    @property
    def on_course(self) -> bool:
        return self.audits >= self.target

    @property
    def shortfall(self) -> int:
        return max(0, self.target - self.audits)


def window_end(last: datetime.date) -> datetime.date:
    """The last month counted: the period's, or this month if the period runs past it."""
    return min(last, timezone.localdate().replace(day=1))


def rolling_window(last: datetime.date) -> tuple[datetime.date, datetime.date]:
    end = window_end(last)
    return add_months(end, -11), end


def practitioners(
    *, last: datetime.date, region_id=None, team_id=None, region_ids=None
) -> list[PractitionerCompliance]:
    """The active practitioners of a region or team (by their home team), each with their audits in the
    rolling 12 months to `last` and their target. Two queries."""
    q = Q(is_active=True, groups__name=Role.PRACTITIONER, team__isnull=False)
    if region_id is not None:
        q &= Q(team__region_id=region_id)
    if team_id is not None:
        q &= Q(team_id=team_id)
    if region_ids is not None:
        q &= Q(team__region_id__in=list(region_ids))
    people_qs = User.objects.filter(q)
    people = list(
        people_qs.distinct()
        .order_by("full_name", "username")
        .values("id", "full_name", "username", "team_id", "collaborative_feedback")
    )
    first, end = rolling_window(last)
    # A team or region: its practitioners as a subquery. Across regions (the national page): every
    # practitioner's count in the window, one scan of a few thousand rows, cheaper than the join.
    ids = people_qs.values("id") if (region_id or team_id) else None
    counts = selectors.practitioner_audits(first=first, last=end, practitioner_ids=ids)
    return [
        PractitionerCompliance(
            id=p["id"],
            name=p["full_name"] or p["username"],
            username=p["username"],
            team_id=p["team_id"],
            target=TARGET_COLLABORATIVE if p["collaborative_feedback"] else TARGET,
            audits=counts.get(p["id"], 0),
        )
        for p in people
    ]


def on_course_share(people: list[PractitionerCompliance]) -> tuple[int, int]:
    """(practitioners on course, practitioners): the compliance numerator and denominator."""
    return sum(p.on_course for p in people), len(people)
