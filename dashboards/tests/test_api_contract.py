"""GET /api/v1/kpis/: the exact shape of the answer, bad input never a 500, and snapshot-only reads."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dashboards.models import ApiToken
from dashboards.rollup import rollup_all
from organisation.tests.factories import TeamFactory

from .helpers import make_audits
from .sql import source_tables, tables_read

pytestmark = pytest.mark.django_db

URL = "/api/v1/kpis/"
FIGURES = {
    "audits",
    "outstanding",
    "good",
    "meets_standard",
    "requires_improvement",
    "good_or_better_pct",
    "good_or_better_ci95",
    "family_feedback_pct",
    "care_allocated_pct",
    "care_working_days_to_allocate",
    "private_allocated_pct",
    "s7_on_time_pct",
    "feedback",
}
FEEDBACK_SHAPE = {
    "child": {"n", "worker_helped_pct"},
    "parent_carer": {"n", "mean_helpfulness"},
    "judge": {"n", "mean_helpfulness"},
}


def test_the_answer_has_exactly_the_keys_of_the_contract(client, board_member, team, other_team):
    make_audits(team, datetime.date(2025, 6, 3), [3, 2])
    rollup_all()
    client.force_login(board_member)
    body = client.get(URL, {"from": "2025-06", "to": "2025-06"}).json()
    assert set(body) == {"from", "to", "computed_at", "regions", "national"}
    assert datetime.datetime.fromisoformat(body["computed_at"])
    assert [r["code"] for r in body["regions"]] == ["north-east", "south-west"]
    for row in body["regions"]:
        assert set(row) == {"code", "name"} | FIGURES
    assert set(body["national"]) == FIGURES
    for row in [*body["regions"], body["national"]]:
        assert set(row["feedback"]) == set(FEEDBACK_SHAPE) | {"understood_pct"}
        for who, keys in FEEDBACK_SHAPE.items():
            assert set(row["feedback"][who]) == keys
    low, high = body["national"]["good_or_better_ci95"]
    assert 0 <= low <= body["national"]["good_or_better_pct"] <= high <= 100


def test_before_any_roll_up_computed_at_is_null_and_counts_are_zero(client, board_member, region):
    client.force_login(board_member)
    body = client.get(URL, {"from": "2025-06", "to": "2025-06"}).json()
    assert body["computed_at"] is None
    assert body["national"]["audits"] == 0 and body["national"]["good_or_better_pct"] is None


@pytest.mark.parametrize(
    "params",
    [
        {"from": "FY2025", "to": "2025-06"},
        {"from": "2025-Q2", "to": "2025-06"},
        {"from": "2025-06", "to": "9999-01"},
        {"from": "1999-12", "to": "2025-06"},
        {"from": "２０２５-06", "to": "2025-06"},  # full-width digits
        {"from": "2025-06\x00", "to": "2025-06"},
        {"from": "x" * 5000, "to": "2025-06"},
        {"from": "2025-06", "to": "2025-06", "region": "\x00"},
        {"from": "2025-06", "to": "2025-06", "region": "north-east\x00"},
        {"from": "2025-06", "to": "2025-06", "region": "north/east"},
        {"from": "2025-06", "to": "2025-06", "region": "north%2Feast"},
        {"from": "2025-06", "to": "2025-06", "region": "ñorth-east"},
        {"from": "2025-06", "to": "2025-06", "region": "x" * 5000},
        {"from": "2025-06", "to": "2025-06", "region": ""},
    ],
)
def test_garbage_gets_a_400_json_message_never_a_500(client, board_member, region, params):
    client.force_login(board_member)
    response = client.get(URL, params)
    assert response.status_code == 400
    message = response.json()["error"]
    assert message and len(message) < 300  # a long input is not echoed back whole


def test_writes_are_refused_with_405_json(client, board_member):
    client.force_login(board_member)
    response = client.post(URL, {"from": "2025-06", "to": "2025-06"})
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert "read-only" in response.json()["error"]


def test_a_region_the_manager_may_not_see_is_403_like_the_region_page(client, service_manager, other_region):
    client.force_login(service_manager)
    api = client.get(URL, {"from": "2025-06", "to": "2025-06", "region": other_region.code})
    page = client.get(f"/dashboards/regions/{other_region.code}/")
    assert api.status_code == page.status_code == 403


def _capture(client, params, **headers):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL, params, **headers)
    assert response.status_code == 200
    return ctx.captured_queries


def test_token_calls_for_one_region_run_constant_snapshot_only_queries(client, service_manager, team, other_team):
    token = ApiToken(user=service_manager, name="script", last_used_at=timezone.now())  # no write this minute
    key = token.set_new_key()
    token.save()
    auth = {"HTTP_AUTHORIZATION": f"Token {key}"}
    params = {"from": "2025-04", "to": "2026-03", "region": "north-east"}
    make_audits(team, datetime.date(2025, 6, 3), [3])
    rollup_all()
    small = _capture(client, params, **auth)
    for month in [4, 5, 6, 7, 8, 9, 10, 11, 12]:
        make_audits(team, datetime.date(2025, month, 2), [4, 3, 2, 1])
        make_audits(TeamFactory(region=team.region), datetime.date(2025, month, 2), [3, 1])
        make_audits(other_team, datetime.date(2025, month, 2), [2, 2, 3])
    rollup_all()
    large = _capture(client, params, **auth)
    # token and its user, roles, the region asked for, totals by region, computed_at
    assert len(small) == len(large) == 6
    assert source_tables(large) == set()
    assert "dashboards_kpisnapshot" in tables_read(large)


def test_session_calls_never_read_audit_case_or_feedback_tables(client, board_member, team, other_team):
    make_audits(team, datetime.date(2025, 6, 3), [3, 1], family_feedback=1)
    rollup_all()
    client.force_login(board_member)
    queries = _capture(client, {"from": "2025-01", "to": "2025-12"})
    assert source_tables(queries) == set()
    assert "dashboards_kpisnapshot" in tables_read(queries)
