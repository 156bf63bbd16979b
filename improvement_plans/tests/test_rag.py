"""The RAG rules on hand-built dates, with the clock frozen."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from improvement_plans import rag

D = datetime.date
TODAY = D(2026, 3, 10)


@pytest.fixture
def today():
    with time_machine.travel(datetime.datetime(2026, 3, 10, 12, 0, tzinfo=datetime.UTC), tick=False):
        yield timezone.localdate()


def action(status, due_on=None, review_on=None, *, today):
    return rag.action_rag(status=status, due_on=due_on, review_on=review_on, today=today)


def test_frozen_clock_is_the_hand_built_today(today):
    assert today == TODAY


def test_action_past_due_and_not_complete_is_red(today):
    assert action("not_started", D(2026, 3, 9), today=today) == "red"
    assert action("in_progress", D(2025, 12, 1), today=today) == "red"


def test_action_due_today_is_not_yet_overdue(today):
    assert action("in_progress", D(2026, 3, 10), today=today) == "green"
    assert not rag.is_overdue(status="in_progress", due_on=D(2026, 3, 10), review_on=None, today=today)


def test_action_due_within_30_days_and_not_started_is_amber(today):
    assert action("not_started", D(2026, 3, 10), today=today) == "amber"
    assert action("not_started", D(2026, 4, 9), today=today) == "amber"  # 30 days ahead


def test_action_due_in_31_days_and_not_started_is_green(today):
    assert action("not_started", D(2026, 4, 10), today=today) == "green"


def test_action_due_soon_but_in_progress_is_green(today):
    assert action("in_progress", D(2026, 3, 20), today=today) == "green"


def test_complete_action_is_green_even_past_its_date(today):
    assert action("complete", D(2025, 1, 1), today=today) == "green"
    assert not rag.is_overdue(status="complete", due_on=D(2025, 1, 1), review_on=None, today=today)


def test_phrase_only_action_is_judged_on_its_review_date(today):
    assert action("in_progress", None, D(2026, 2, 28), today=today) == "red"
    assert action("not_started", None, D(2026, 3, 31), today=today) == "amber"
    assert action("not_started", None, D(2026, 9, 30), today=today) == "green"


def test_due_date_wins_over_review_date(today):
    assert action("in_progress", D(2026, 6, 1), D(2026, 1, 1), today=today) == "green"


def measure(current, *, baseline=60, target=70, higher=True, baseline_on=None, target_on=None, today):
    return rag.measure_rag(
        current=current,
        baseline=baseline,
        target=target,
        higher_is_better=higher,
        baseline_on=baseline_on,
        target_on=target_on,
        today=today,
    )


def test_measure_at_or_beyond_target_is_green(today):
    assert measure(70, today=today) == "green"
    assert measure(75, today=today) == "green"


def test_measure_better_than_baseline_but_short_without_date_is_amber(today):
    assert measure(65, today=today) == "amber"


def test_measure_at_or_worse_than_baseline_is_red(today):
    assert measure(60, today=today) == "red"
    assert measure(55, today=today) == "red"


def test_measure_on_the_straight_line_to_its_target_date_is_green(today):
    # Baseline 60 on 2025-03-10, target 70 on 2027-03-10: 365 of 730 days gone, so 65 is due by now.
    line = {"baseline_on": D(2025, 3, 10), "target_on": D(2027, 3, 10)}
    assert measure(65, **line, today=today) == "green"
    assert measure(66, **line, today=today) == "green"
    assert measure(64.9, **line, today=today) == "amber"
    assert measure(60, **line, today=today) == "red"


def test_measure_where_lower_is_better_mirrors_the_rules(today):
    kw = {"baseline": 10, "target": 5, "higher": False}
    assert measure(5, **kw, today=today) == "green"
    assert measure(4, **kw, today=today) == "green"
    assert measure(8, **kw, today=today) == "amber"
    assert measure(10, **kw, today=today) == "red"
    assert measure(12, **kw, today=today) == "red"
    line = {"baseline_on": D(2025, 3, 10), "target_on": D(2027, 3, 10)}
    assert measure(7.5, **kw, **line, today=today) == "green"  # halfway from 10 to 5
    assert measure(7.6, **kw, **line, today=today) == "amber"


def test_measure_past_its_target_date_must_have_reached_the_target(today):
    line = {"baseline_on": D(2024, 1, 1), "target_on": D(2025, 12, 31)}
    assert measure(69.9, **line, today=today) == "amber"


def test_measure_without_figures_has_no_rating(today):
    assert measure(None, today=today) is None
