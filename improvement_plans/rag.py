"""The RAG rules of improvement plans: plain functions of their facts and a given "today".

The page shows RULES_IN_WORDS beside the ratings, so what people read and what the code
does are the same sentences.
"""

import datetime
from decimal import Decimal

AMBER_WINDOW_DAYS = 30

RED, AMBER, GREEN = "red", "amber", "green"

ACTION_RULES = [
    "Complete actions are green.",
    "An action past its due date and not complete is red.",
    f"An action due within {AMBER_WINDOW_DAYS} days that has not started is amber.",
    "Any other action is green.",
    "An action with only a phrase such as 'biannually' is checked against its review date.",
]
MEASURE_RULES = [
    "Green: the current value has reached the target, or is at or beyond where a straight line "
    "from the baseline (at the end of the baseline period) to the target (at the target date) "
    "says it should be by now.",
    "Amber: the value is better than the baseline but short of where it should be.",
    "Red: the value is the same as or worse than the baseline.",
    "No rating: there are no figures yet for the measure's scope and period.",
]
MANUAL_RULE = (
    "A manual RAG recorded in the latest progress update is shown beside the computed one with its reason; "
    "it never replaces it."
)


def action_rag(*, status: str, due_on: datetime.date | None, review_on: datetime.date | None, today: datetime.date):
    """RAG of one action; status is an Action.Status value."""
    if status == "complete":
        return GREEN
    check_on = due_on or review_on
    if check_on is None:
        return GREEN
    if check_on < today:
        return RED
    if status == "not_started" and (check_on - today).days <= AMBER_WINDOW_DAYS:
        return AMBER
    return GREEN


def is_overdue(*, status: str, due_on, review_on, today: datetime.date) -> bool:
    check_on = due_on or review_on
    return status != "complete" and check_on is not None and check_on < today


def expected_by(
    *,
    baseline: float,
    target: float,
    baseline_on: datetime.date,
    target_on: datetime.date,
    today: datetime.date,
) -> float:
    """Where a straight line from baseline (at baseline_on) to target (at target_on) stands today."""
    span = (target_on - baseline_on).days
    elapsed = min(max((today - baseline_on).days, 0), span)
    return baseline + (target - baseline) * elapsed / span


def measure_rag(
    *,
    current: float | None,
    baseline: float | Decimal,
    target: float | Decimal,
    higher_is_better: bool,
    today: datetime.date,
    baseline_on: datetime.date | None = None,
    target_on: datetime.date | None = None,
):
    """RAG of a bound success measure; None when there is no current value."""
    if current is None:
        return None
    baseline, target = float(baseline), float(target)
    sign = 1 if higher_is_better else -1
    # Percentages carry float noise (2/3 * 100); compare to a hundredth of a point.
    gain = round(sign * (current - baseline), 6)
    if round(sign * (current - target), 6) >= 0:
        return GREEN
    if gain <= 0:
        return RED
    if baseline_on and target_on and target_on > baseline_on:
        line = expected_by(baseline=baseline, target=target, baseline_on=baseline_on, target_on=target_on, today=today)
        if round(sign * (current - line), 6) >= 0:
            return GREEN
    return AMBER
