"""The national figures of the board pack, built by the same table builders as the national page
(so the PDF and the page show the same figures), without links. Improvement plans add their RAG and
overdue actions and render the PDF (dashboards may not import improvement_plans)."""

import datetime

from organisation import visibility

from . import board, measures, selectors
from .tables import Table
from .views import Scope, _criteria_table, _operational_table, _regions_table, _seed_scope


def period_label(first: datetime.date, last: datetime.date) -> str:
    if first == last:
        return f"{first:%B %Y}"
    return f"{first:%B %Y} to {last:%B %Y}"


class _Window:
    """What the builders need of a period: its first and last months."""

    def __init__(self, first, last):
        self.first, self.last = first, last


def national_tables(user, first: datetime.date, last: datetime.date) -> dict[str, Table]:
    """The national tables for a window of months. A fixed number of queries."""
    regions = list(visibility.visible_regions(user).order_by("name"))  # query
    by_region = selectors.totals_by("region_id", first=first, last=last)  # query
    nation = selectors.add_counts(by_region.values())
    label = period_label(first, last)
    by_code = selectors.criteria_by_code(selectors.criterion_results(first=first, last=last))  # query
    respondents = selectors.feedback_by_respondent(first=first, last=last)  # query
    by_team = selectors.totals_by("team_id", first=first, last=last)  # query
    exceptions, _ = board.exceptions(
        period=_Window(first, last), by_team=by_team, by_code=by_code, region_ids=[r.pk for r in regions]
    )  # 3 queries
    empty = dict.fromkeys(selectors.COUNT_FIELDS, 0)
    scopes = [Scope(r.name, by_region.get(r.pk) or empty, region_id=r.pk) for r in regions]  # no links
    tables = [
        _regions_table([*scopes, Scope("National (all regions)", nation, national=True)], label),
        _operational_table([*scopes, Scope("National", nation, national=True)]),
        _criteria_table(selectors.weakest_criteria(first=first, last=last)),  # query
        exceptions,
        measures.respondent_table([("National", _seed_scope(by_code, respondents, None)["feedback"])]),
    ]
    return {t.key: t for t in tables}
