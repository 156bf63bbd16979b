"""Production settings are strict; `check --deploy` passes with them."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from cafcass_qa.settings.base import env_bool

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k" * 20 + "9f3Qx-2bZ!r7Lp0sWm4Ty8Vc1Nh6Jd5Ge" + "x" * 10


def run_manage(*args, **env):
    full_env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    full_env.update(env)
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120
    )


def test_production_settings_pass_check_deploy_with_no_warnings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="cafcass_qa.settings.production",
        SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="qa.example.org",
        DATABASE_URL="sqlite:////tmp/cafcass-check-deploy.sqlite3",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage(
        "check", DJANGO_SETTINGS_MODULE="cafcass_qa.settings.production", ALLOWED_HOSTS="qa.example.org"
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize(("raw", "expected"), [("true", True), ("0", False), ("Yes", True), ("off", False)])
def test_booleans_from_the_environment(monkeypatch, raw, expected):
    monkeypatch.setenv("SOME_FLAG", raw)
    assert env_bool("SOME_FLAG", not expected) is expected


def test_a_mistyped_boolean_fails_loudly(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "ture")
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG"):
        env_bool("SOME_FLAG", False)


def test_seed_demo_refuses_to_run_under_production_settings():
    result = run_manage(
        "seed_demo",
        DJANGO_SETTINGS_MODULE="cafcass_qa.settings.production",
        SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="qa.example.org",
        # A database that does not exist: the command must stop before it is touched.
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/no_such_database_for_seed_demo",
    )
    assert result.returncode != 0
    assert "seed_demo refuses to run under production settings" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.django_db
def test_seed_demo_creates_nobody_where_demo_data_is_not_allowed(settings):
    from django.core.management import CommandError, call_command

    from organisation.models import User

    settings.DEMO_DATA_ALLOWED = False
    with pytest.raises(CommandError, match="production"):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_persistent_connections_come_from_the_environment(monkeypatch):
    from cafcass_qa.settings.base import database

    monkeypatch.delenv("CONN_MAX_AGE", raising=False)
    monkeypatch.delenv("CONN_HEALTH_CHECKS", raising=False)
    default = database("sqlite:///x.sqlite3")
    assert (default["CONN_MAX_AGE"], default["CONN_HEALTH_CHECKS"]) == (60, True)
    monkeypatch.setenv("CONN_MAX_AGE", "0")
    monkeypatch.setenv("CONN_HEALTH_CHECKS", "false")
    assert (database("sqlite:///x.sqlite3")["CONN_MAX_AGE"], database("sqlite:///x.sqlite3")["CONN_HEALTH_CHECKS"]) == (
        0,
        False,
    )
    monkeypatch.setenv("CONN_MAX_AGE", "")
    assert database("sqlite:///x.sqlite3")["CONN_MAX_AGE"] is None
    monkeypatch.setenv("CONN_MAX_AGE", "soon")
    with pytest.raises(ImproperlyConfigured, match="CONN_MAX_AGE"):
        database("sqlite:///x.sqlite3")
