"""GET /api/v1/kpis/: the DESIGN.md contract, figures computed by hand from the test's own grade lists."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import ApplicationType, LawType
from cases.tests.factories import CaseFactory
from dashboards.models import ApiToken
from dashboards.rollup import rollup_all

from .helpers import make_audits, wilson_by_hand

pytestmark = pytest.mark.django_db

URL = "/api/v1/kpis/"

# (date completed, grades, how many of them had family feedback) per region.
NORTH = [
    (datetime.date(2025, 3, 31), [1, 1], 0),  # before every window
    (datetime.date(2025, 4, 1), [4, 3, 2], 1),
    (datetime.date(2025, 6, 1), [3, 3, 3, 1], 2),
    (datetime.date(2025, 6, 30), [4, 2], 2),
    (datetime.date(2026, 1, 15), [3, 2, 2], 0),
    (datetime.date(2026, 3, 31), [4], 1),
    (datetime.date(2026, 4, 1), [4, 4], 0),  # after FY2025
]
SOUTH = [
    (datetime.date(2025, 5, 20), [2, 2, 1], 3),
    (datetime.date(2025, 6, 15), [3, 2, 4, 1, 1], 1),
    (datetime.date(2025, 11, 2), [3, 3], 0),
]
WINDOWS = {
    "month": ("2025-06", "2025-06", datetime.date(2025, 6, 1), datetime.date(2025, 6, 30)),
    "quarter": ("2025-04", "2025-06", datetime.date(2025, 4, 1), datetime.date(2025, 6, 30)),
    "financial year": ("2025-04", "2026-03", datetime.date(2025, 4, 1), datetime.date(2026, 3, 31)),
}


@pytest.fixture
def data(team, other_team):
    for rows, where in [(NORTH, team), (SOUTH, other_team)]:
        for day, grades, feedback in rows:
            make_audits(where, day, grades, family_feedback=feedback)
    rollup_all()


def expected(rows, first, last):
    """The figures, by hand: filter the test's own list to the window and count."""
    grades, feedback = [], 0
    for day, gs, ff in rows:
        if first <= day <= last:
            grades += gs
            feedback += ff
    n = len(grades)
    gob = sum(1 for g in grades if g >= 3)
    return {
        "audits": n,
        "outstanding": grades.count(4),
        "good": grades.count(3),
        "meets_standard": grades.count(2),
        "requires_improvement": grades.count(1),
        "good_or_better_pct": 100 * gob / n if n else None,
        "family_feedback_pct": 100 * feedback / n if n else None,
        "good_or_better_ci95": list(wilson_by_hand(gob, n)) if n else None,
    }


def pick(figures):
    return {k: figures[k] for k in expected(NORTH, datetime.date(2025, 1, 1), datetime.date(2025, 1, 2))}


def assert_figures(got, want):
    """Counts exactly; percentages and Wilson bounds (unrounded in the API) to float precision."""
    got = pick(got)
    assert got.keys() == want.keys()
    for key, value in want.items():
        if isinstance(value, float):
            assert got[key] == pytest.approx(value, rel=1e-9), key
        elif isinstance(value, list):
            assert got[key] == pytest.approx(value, rel=1e-9, abs=1e-9), key
        else:
            assert got[key] == value, key


@pytest.mark.parametrize("window", WINDOWS)
def test_counts_percentages_and_wilson_bounds_for_each_region_and_nationally(client, board_member, data, window):
    raw_from, raw_to, first, last = WINDOWS[window]
    client.force_login(board_member)
    response = client.get(URL, {"from": raw_from, "to": raw_to})
    assert response.status_code == 200
    body = response.json()
    assert (body["from"], body["to"]) == (raw_from, raw_to)
    regions = {r["code"]: r for r in body["regions"]}
    assert_figures(regions["north-east"], expected(NORTH, first, last))
    assert_figures(regions["south-west"], expected(SOUTH, first, last))
    assert_figures(body["national"], expected(NORTH + SOUTH, first, last))
    assert regions["north-east"]["name"] == "North East"
    assert body["computed_at"]


@pytest.mark.parametrize("window", WINDOWS)
@pytest.mark.parametrize("code, rows", [("north-east", NORTH), ("south-west", SOUTH)])
def test_one_region_by_code_with_the_national_figure_beside_it(client, board_member, data, window, code, rows):
    raw_from, raw_to, first, last = WINDOWS[window]
    client.force_login(board_member)
    body = client.get(URL, {"from": raw_from, "to": raw_to, "region": code}).json()
    assert [r["code"] for r in body["regions"]] == [code]
    assert_figures(body["regions"][0], expected(rows, first, last))
    assert_figures(body["national"], expected(NORTH + SOUTH, first, last))


def test_percentages_are_null_where_there_are_no_audits(client, board_member, data):
    client.force_login(board_member)
    body = client.get(URL, {"from": "2024-01", "to": "2024-02"}).json()
    for figures in [*body["regions"], body["national"]]:
        assert figures["audits"] == 0
        assert figures["good_or_better_pct"] is None
        assert figures["good_or_better_ci95"] is None
        assert figures["family_feedback_pct"] is None
        assert figures["care_allocated_pct"] is None


def test_case_kpis_are_in_the_same_rows(client, board_member, team):
    # Care: 2 received in June, 1 allocated after 3 working days (Mon 2 -> Thu 5 June 2025).
    care = {"team": team, "law_type": LawType.PUBLIC, "application_type": ApplicationType.S31_CARE}
    CaseFactory(**care, received_on=datetime.date(2025, 6, 2), allocated_on=datetime.date(2025, 6, 5))
    CaseFactory(**care, received_on=datetime.date(2025, 6, 3), allocated_on=None)
    # Private law: 3 received in June, 2 allocated.
    for allocated in [datetime.date(2025, 6, 20), datetime.date(2025, 6, 21), None]:
        CaseFactory(team=team, received_on=datetime.date(2025, 6, 10), allocated_on=allocated)
    # Section 7: 4 due in June; 3 filed on or before the due date.
    for filed in [datetime.date(2025, 6, 1), datetime.date(2025, 6, 12), datetime.date(2025, 6, 12), None]:
        CaseFactory(
            team=team,
            application_type=ApplicationType.SECTION_7,
            received_on=datetime.date(2025, 3, 1),
            report_due_on=datetime.date(2025, 6, 12),
            report_filed_on=filed,
        )
    rollup_all()
    client.force_login(board_member)
    body = client.get(URL, {"from": "2025-06", "to": "2025-06"}).json()
    north = body["regions"][0]
    assert north["care_allocated_pct"] == 50.0
    assert north["care_working_days_to_allocate"] == 3.0
    assert north["private_allocated_pct"] == pytest.approx(100 * 2 / 3)
    assert north["s7_on_time_pct"] == 75.0
    assert body["national"]["s7_on_time_pct"] == 75.0


def test_service_manager_sees_only_their_region_but_the_national_figure(client, service_manager, data):
    client.force_login(service_manager)
    body = client.get(URL, {"from": "2025-06", "to": "2025-06"}).json()
    assert [r["code"] for r in body["regions"]] == ["north-east"]
    first, last = datetime.date(2025, 6, 1), datetime.date(2025, 6, 30)
    assert_figures(body["regions"][0], expected(NORTH, first, last))
    # `national` is the whole country, as on the manager's national page: a benchmark, not a leak.
    assert_figures(body["national"], expected(NORTH + SOUTH, first, last))
    response = client.get(URL, {"from": "2025-06", "to": "2025-06", "region": "south-west"})
    assert response.status_code == 403
    assert "south-west" in response.json()["error"]


def test_token_authentication(client, board_member, data):
    token = ApiToken(user=board_member, name="board pack")
    key = token.set_new_key()
    token.save()
    assert key not in str(ApiToken.objects.values_list("key_hash", "prefix").get())  # stored hashed
    response = client.get(URL, {"from": "2025-06", "to": "2025-06"}, HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    assert len(response.json()["regions"]) == 2
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize("header", [None, "Token not-a-key", "Bearer abc", "Token "])
def test_without_valid_credentials_the_answer_is_401_json(client, header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.get(URL, {"from": "2025-06", "to": "2025-06"}, **extra)
    assert response.status_code == 401
    assert "error" in response.json()


def test_an_inactive_token_is_refused(client, board_member):
    token = ApiToken(user=board_member, name="old", is_active=False)
    key = token.set_new_key()
    token.save()
    assert client.get(URL, {"from": "2025-06", "to": "2025-06"}, HTTP_AUTHORIZATION=f"Token {key}").status_code == 401


def test_people_without_a_dashboard_role_get_403(client, practitioner):
    client.force_login(practitioner)
    assert client.get(URL, {"from": "2025-06", "to": "2025-06"}).status_code == 403


@pytest.mark.parametrize(
    "params, words",
    [
        ({}, "from"),
        ({"from": "2025-06"}, "to"),
        ({"from": "2025-6", "to": "2025-06"}, "YYYY-MM"),
        ({"from": "2025-13", "to": "2025-12"}, "01 to 12"),
        ({"from": "June", "to": "2025-06"}, "YYYY-MM"),
        ({"from": "2025-07", "to": "2025-06"}, "after"),
        ({"from": "2025-06", "to": "2025-06", "region": "atlantis"}, "atlantis"),
    ],
)
def test_bad_requests_get_400_json_with_a_clear_message(client, board_member, region, params, words):
    client.force_login(board_member)
    response = client.get(URL, params)
    assert response.status_code == 400
    assert words in response.json()["error"]


def test_constant_queries_that_never_touch_audit_or_case_tables(client, board_member, team, other_team):
    client.force_login(board_member)
    make_audits(team, datetime.date(2025, 6, 1), [3])
    rollup_all()
    with CaptureQueriesContext(connection) as small:
        client.get(URL, {"from": "2025-01", "to": "2025-12"})
    for month in range(1, 13):
        make_audits(team, datetime.date(2025, month, 1), [4, 2, 1])
        make_audits(other_team, datetime.date(2025, month, 1), [3, 3])
    rollup_all()
    # session, user, roles, visible regions, totals by region, computed_at
    with CaptureQueriesContext(connection) as large:
        assert client.get(URL, {"from": "2025-01", "to": "2025-12"}).status_code == 200
    assert len(small.captured_queries) == len(large.captured_queries) == 7
    sql = " ".join(q["sql"] for q in large.captured_queries).lower()
    assert "audits_" not in sql and "cases_" not in sql
