"""Dashboards and the KPI API are cached until the next roll-up, per view of the figures; never stale."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboards.models import KpiSnapshot
from dashboards.rollup import rollup_all
from organisation.tests.factories import TeamFactory

from .helpers import make_audits

pytestmark = pytest.mark.django_db

JUNE = datetime.date(2025, 6, 1)
API = "/api/v1/kpis/"
WINDOW = {"from": "2025-06", "to": "2025-06"}


def main(response) -> str:
    """The page's main content (the header carries a fresh CSRF token on every response)."""
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def national_audits(client):
    return client.get(API, WINDOW).json()["national"]["audits"]


def test_the_api_answer_is_cached_until_a_rollup_runs(client, board_member, team):
    client.force_login(board_member)
    make_audits(team, JUNE, [3, 3])
    rollup_all()
    assert national_audits(client) == 2
    # Snapshots changed behind the roll-up's back (no run recorded): the cached answer stands,
    # which shows the second view is served from the cache, without reading the snapshots.
    KpiSnapshot.objects.filter(month=JUNE).update(audits=99, good=99)
    with CaptureQueriesContext(connection) as queries:
        assert national_audits(client) == 2
    assert not any("dashboards_kpisnapshot" in q["sql"] and "SUM(" in q["sql"] for q in queries.captured_queries)
    # A roll-up run makes a new key: the figure follows the source rows at once.
    make_audits(team, JUNE, [1])
    rollup_all()
    assert national_audits(client) == 3


def test_the_dashboard_page_is_cached_until_a_rollup_runs(client, board_member, team):
    client.force_login(board_member)
    make_audits(team, JUNE, [4])
    rollup_all()
    first = client.get("/dashboards/", {"period": "2025-06"})
    assert first.status_code == 200
    KpiSnapshot.objects.filter(month=JUNE).update(outstanding=0, requires_improvement=1)
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/dashboards/", {"period": "2025-06"})
    assert main(again) == main(first)
    assert len(queries.captured_queries) < 6  # session, user, roles, snapshot status
    make_audits(team, JUNE, [1, 1])
    rollup_all()
    fresh = client.get("/dashboards/", {"period": "2025-06"})
    assert main(fresh) != main(first)
    assert "Requires improvement" in fresh.content.decode()
    assert fresh.context["national"]["audits"] == 3


def test_a_service_manager_never_gets_what_a_director_was_shown(
    client, board_member, service_manager, team, other_team
):
    make_audits(team, JUNE, [3])
    make_audits(other_team, JUNE, [2, 2])
    rollup_all()
    client.force_login(board_member)
    assert {r["code"] for r in client.get(API, WINDOW).json()["regions"]} == {team.region.code, other_team.region.code}
    client.force_login(service_manager)
    assert [r["code"] for r in client.get(API, WINDOW).json()["regions"]] == [team.region.code]


def test_a_new_team_shows_at_once_though_no_rollup_ran(client, service_manager, team):
    client.force_login(service_manager)
    make_audits(team, JUNE, [3])
    rollup_all()
    url = f"/dashboards/regions/{team.region.code}/"
    assert "Hartlepool" not in client.get(url, {"period": "2025-06"}).content.decode()
    TeamFactory(code="ne-hartlepool", name="Hartlepool", region=team.region)
    assert "Hartlepool" in client.get(url, {"period": "2025-06"}).content.decode()
