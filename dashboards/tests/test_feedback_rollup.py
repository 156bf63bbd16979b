"""Feedback in the snapshots: counted by month received, in the region and team of its case."""

import datetime
from collections import defaultdict

import pytest

from cases.tests.factories import CaseFactory
from dashboards.models import KpiSnapshot
from dashboards.rollup import rollup_all, rollup_slice
from feedback import services
from feedback.tests.factories import FeedbackFactory
from organisation.importing import import_csv

pytestmark = pytest.mark.django_db

JUNE = datetime.date(2025, 6, 1)
FIELDS = [
    "feedback_count",
    "feedback_helpfulness_count",
    "feedback_helpfulness_sum",
    "feedback_worker_helped_count",
    "feedback_worker_helped_yes",
]


def expected_by_hand(items):
    """The five counts per (team id, first of month), in plain Python over the test's own list."""
    out = defaultdict(lambda: dict.fromkeys(FIELDS, 0))
    for team, day, helpfulness, worker_helped in items:
        row = out[(team.pk, day.replace(day=1))]
        row["feedback_count"] += 1
        if helpfulness is not None:
            row["feedback_helpfulness_count"] += 1
            row["feedback_helpfulness_sum"] += helpfulness
        if worker_helped is not None:
            row["feedback_worker_helped_count"] += 1
            row["feedback_worker_helped_yes"] += worker_helped is True
    return dict(out)


def snapshot_feedback():
    return {
        (r.team_id, r.month): {f: getattr(r, f) for f in FIELDS} for r in KpiSnapshot.objects.all() if r.feedback_count
    }


def test_feedback_is_counted_by_month_received_in_its_cases_team(team, other_team):
    items = [
        (team, datetime.date(2025, 6, 1), 9, True),
        (team, datetime.date(2025, 6, 30), 4, False),
        (team, datetime.date(2025, 6, 15), None, None),  # a judge's compliment: no scores
        (team, datetime.date(2025, 7, 1), 10, True),
        (other_team, datetime.date(2025, 6, 20), 0, False),
        (other_team, datetime.date(2025, 6, 21), 7, None),
    ]
    for t, day, helpfulness, worker_helped in items:
        FeedbackFactory(case=CaseFactory(team=t), received_on=day, helpfulness=helpfulness, worker_helped=worker_helped)
    FeedbackFactory(case=None, region=None, team=None, received_on=datetime.date(2025, 6, 2))  # no case: no region

    rollup_all()

    assert snapshot_feedback() == expected_by_hand(items)


def test_a_feedback_slice_changes_only_its_region_and_month(team, other_team):
    FeedbackFactory(case=CaseFactory(team=team), received_on=datetime.date(2025, 6, 3), helpfulness=6)
    FeedbackFactory(case=CaseFactory(team=other_team), received_on=datetime.date(2025, 6, 3), helpfulness=2)
    rollup_all()
    before = snapshot_feedback()

    FeedbackFactory(case=CaseFactory(team=team), received_on=datetime.date(2025, 6, 9), helpfulness=10)
    rollup_slice(region_id=team.region_id, month=JUNE)

    after = snapshot_feedback()
    assert after[(other_team.pk, JUNE)] == before[(other_team.pk, JUNE)]
    assert after[(team.pk, JUNE)]["feedback_count"] == 2
    assert after[(team.pk, JUNE)]["feedback_helpfulness_sum"] == 16
    rollup_all()
    assert snapshot_feedback() == after  # the slice agrees with a full rebuild


def test_recorded_feedback_reaches_the_snapshot_after_commit(team, auditor, django_capture_on_commit_callbacks):
    case = CaseFactory(team=team)
    with django_capture_on_commit_callbacks(execute=True):
        services.feedback_record(
            by=auditor,
            case=case,
            respondent="parent_carer",
            channel="phone",
            kind="feedback",
            received_on=datetime.date(2025, 6, 12),
            helpfulness=7,
            worker_helped=True,
        )
    row = KpiSnapshot.objects.get(team=team, month=JUNE)
    assert (row.feedback_count, row.feedback_helpfulness_sum, row.feedback_worker_helped_yes) == (1, 7, 1)


HEADER = "case_reference,respondent,channel,received_on,helpfulness,worker_helped,kind,comments\n"


def test_an_import_rolls_up_its_slices_and_a_bad_file_announces_nothing(team, django_capture_on_commit_callbacks):
    CaseFactory(reference="FB-1", team=team)
    bad = HEADER + "FB-1,child,online,2025-06-01,11,yes,feedback,\n"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert not import_csv("feedback", bad.encode()).ok
    assert callbacks == []
    assert not KpiSnapshot.objects.filter(feedback_count__gt=0).exists()

    good = HEADER + "FB-1,child,online,2025-06-01,9,yes,feedback,\nFB-1,judge,paper,2025-06-05,,,compliment,\n"
    with django_capture_on_commit_callbacks(execute=True):
        assert import_csv("feedback", good.encode()).ok
    row = KpiSnapshot.objects.get(team=team, month=JUNE)
    assert (row.feedback_count, row.feedback_helpfulness_count, row.feedback_helpfulness_sum) == (2, 1, 9)


def test_region_page_shows_the_feedback_figures(client, team, service_manager):
    FeedbackFactory(case=CaseFactory(team=team), received_on=datetime.date(2025, 6, 3), helpfulness=6)
    FeedbackFactory(case=CaseFactory(team=team), received_on=datetime.date(2025, 6, 4), helpfulness=9)
    FeedbackFactory(
        case=CaseFactory(team=team), received_on=datetime.date(2025, 6, 5), helpfulness=None, worker_helped=False
    )
    rollup_all()
    client.force_login(service_manager)
    response = client.get(f"/dashboards/regions/{team.region.code}/?period=2025-06")
    assert response.status_code == 200
    html = response.content.decode()
    assert "7.5 out of 10 (2 answers)" in html  # (6 + 9) / 2
    assert "67% (2 of 3)" in html  # worker helped: two yes of three answers
    csv = client.get(f"/dashboards/regions/{team.region.code}/?period=2025-06&format=csv&table=feedback")
    assert csv.status_code == 200
    assert "Helpfulness: mean" in csv.content.decode()
