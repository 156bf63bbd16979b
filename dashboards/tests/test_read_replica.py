"""With DATABASE_REPLICA_URL set, the dashboards and the API read the snapshots from the replica
alias; writes and every other read stay on the primary."""

import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from audits.models import Grade
from audits.tests.factories import CompletedAuditFactory
from dashboards import rollup

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT_TABLES = ("dashboards_kpisnapshot", "dashboards_criterionsnapshot", "dashboards_moderationsnapshot")


def snapshot_queries(captured):
    return [q["sql"] for q in captured.captured_queries if any(t in q["sql"] for t in SNAPSHOT_TABLES)]


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_dashboard_and_api_read_the_snapshots_from_the_replica(client, settings, team, assistant_director):
    for grade in (Grade.GOOD, Grade.GOOD, Grade.OUTSTANDING):
        CompletedAuditFactory(case__team=team, overall_grade=grade, completed_on=datetime.date(2025, 6, 9))
    rollup.rollup_slice(region_id=team.region_id, month=datetime.date(2025, 6, 1))
    settings.DASHBOARD_READ_DATABASE = "replica"
    client.force_login(assistant_director)
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        api = client.get("/api/v1/kpis/?from=2025-06&to=2025-06")
        page = client.get(f"/dashboards/regions/{team.region.code}/?from=2025-06&to=2025-06")
    assert api.status_code == 200 and page.status_code == 200
    national = api.json()["national"]
    assert (national["audits"], national["good"], national["outstanding"]) == (3, 2, 1)
    assert snapshot_queries(replica), "no snapshot read went to the replica"
    assert snapshot_queries(primary) == []
    assert any("organisation_user" in q["sql"] for q in primary.captured_queries)  # sessions, people: primary


def settings_value(**env):
    full_env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_REPLICA_URL", "DJANGO_SETTINGS_MODULE"}}
    full_env.update(
        DJANGO_SETTINGS_MODULE="cafcass_qa.settings.production",
        SECRET_KEY="k" * 60,
        ALLOWED_HOSTS="qa.example.org",
        DATABASE_URL="postgres://qa@db.example.org:5432/qa",
        **env,
    )
    code = "from django.conf import settings as s; print(s.DASHBOARD_READ_DATABASE, sorted(s.DATABASES))"
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_replica_alias_exists_only_when_its_url_is_given():
    assert settings_value() == "default ['default']"
    assert settings_value(DATABASE_REPLICA_URL="postgres://qa@replica.example.org:5432/qa") == (
        "replica ['default', 'replica']"
    )
