"""The service runs as the README says: under production settings, with its own PostgreSQL database
and Redis, `migrate` and `collectstatic`, then the Procfile's web (gunicorn), worker and beat under
honcho. Over HTTP a person signs in, completes an audit, and the API's figure changes once the real
worker has rolled the month up; then everything stops, leaving no process behind.

Production settings redirect plain HTTP to HTTPS and trust the X-Forwarded-Proto header of the
TLS proxy in front of them; this test speaks to gunicorn the way such a proxy does.
"""

import contextlib
import http.client
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import psycopg2
import pytest
import redis
from django.conf import settings
from django.utils import timezone

pytestmark = pytest.mark.production_run

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
REDIS_URL = os.environ.get("PRODUCTION_RUN_REDIS_URL", "redis://127.0.0.1:6379/15")
PASSWORD = secrets.token_urlsafe(16)
# Run by `manage.py shell` under production settings: a team, one person who audits there and
# manages it (so reads its dashboards), and an audit with its one question answered.
SETUP = f"""
import json
from audits.models import Grade
from audits.tests.factories import AuditFactory, AuditTemplateFactory, CriterionFactory, JudgementFactory
from cases.tests.factories import CaseFactory
from organisation.tests.factories import TeamFactory, UserFactory
team = TeamFactory()
lead = UserFactory(username="prod-lead", team=team, roles=["auditor", "service_manager"], password={PASSWORD!r})
template = AuditTemplateFactory()
criterion = CriterionFactory(template=template)
audit = AuditFactory(case=CaseFactory(team=team), template=template, auditor=lead)
JudgementFactory(audit=audit, criterion=criterion, grade=Grade.GOOD, evidence="Seen")
audit.refresh_from_db()
print(json.dumps({{"audit": audit.pk, "region": team.region.code, "good": int(Grade.GOOD)}}))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """Just enough of a browser behind a TLS proxy: cookies kept by hand (they are Secure)."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method, path, form=None, timeout=10):
        headers = {"X-Forwarded-Proto": "https", "Host": f"127.0.0.1:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"https://127.0.0.1:{self.port}{path}"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            conn.close()
        for raw in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(raw).items():
                self.cookies[name] = morsel.value
        return response.status, response.headers, text

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, form):
        return self.request("POST", path, form)


def csrf_token(page: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


@pytest.fixture
def production_env(tmp_path):
    """Production settings with a generated key, their own database and Redis database."""
    db = settings.DATABASES["default"]
    server = {"host": db["HOST"] or "127.0.0.1", "port": db["PORT"] or 5432, "user": db["USER"]}
    if db.get("PASSWORD"):
        server["password"] = db["PASSWORD"]
    name = f"{db['NAME']}_production_run"[:63]
    admin = psycopg2.connect(dbname="postgres", **server)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    store = redis.Redis.from_url(REDIS_URL)
    store.flushdb()
    password = f":{server['password']}" if "password" in server else ""
    keep = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TZ"}
    env = {k: v for k, v in os.environ.items() if k in keep}
    marker = uuid.uuid4().hex
    env.update(
        PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        DJANGO_SETTINGS_MODULE="cafcass_qa.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"postgres://{server['user']}{password}@{server['host']}:{server['port']}/{name}",
        CELERY_BROKER_URL=REDIS_URL,
        STATIC_ROOT=str(tmp_path / "staticfiles"),
        CELERY_BEAT_SCHEDULE_FILE=str(tmp_path / "celerybeat-schedule"),
        WEB_CONCURRENCY="2",
        CELERY_CONCURRENCY="1",
        PYTHONUNBUFFERED="1",
        PRODUCTION_RUN_MARKER=marker,
    )
    try:
        yield env
    finally:
        store.flushdb()
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def manage(env, *args, timeout=300) -> str:
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, f"manage.py {args[0]} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def processes_marked(marker: str) -> list[int]:
    """Every process still running with this run's marker in its environment."""
    found = []
    needle = f"PRODUCTION_RUN_MARKER={marker}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def wait_for(what, check, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.25)
    pytest.fail(f"{what} did not happen within {seconds} s")


def kpis(browser, month):
    status, _, body = browser.get(f"/api/v1/kpis/?from={month}&to={month}")
    assert status == 200, body
    return json.loads(body)


def test_the_procfile_serves_signs_in_and_rolls_up_through_the_real_worker(production_env, tmp_path):
    # About 10 s on a quiet 2-core machine; every wait below is bounded, generously, for a busy one.
    manage(production_env, "migrate", "--noinput")
    manage(production_env, "collectstatic", "--noinput")
    setup = json.loads(manage(production_env, "shell", "-c", SETUP).strip().splitlines()[-1])

    port = free_port()
    empty_env_file = tmp_path / "empty.env"
    empty_env_file.write_text("")
    log = (tmp_path / "honcho.log").open("w")
    honcho = subprocess.Popen(  # noqa: S603
        [str(BIN / "honcho"), "start", "-f", "Procfile", "-e", str(empty_env_file), "-p", str(port), "--no-colour"],
        cwd=ROOT,
        env=production_env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        browser = Browser(port)

        def healthy():
            try:
                status, _, body = browser.get("/health/")
            except OSError:
                return None
            return body if status == 200 else None

        health = json.loads(wait_for("gunicorn answering /health/", healthy, 60))
        assert health == {"status": "ok", "database": "ok", "broker": "ok"}

        # Plain HTTP is sent to HTTPS: production's defaults are in force.
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/accounts/login/", headers={"Host": f"127.0.0.1:{port}"})
        assert conn.getresponse().status == 301
        conn.close()

        status, headers, page = browser.get("/accounts/login/")
        assert status == 200
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert "camera=()" in headers["Permissions-Policy"]
        assert headers["Strict-Transport-Security"].startswith("max-age=")
        # collectstatic's manifest: pages name the hashed files, and gunicorn serves them.
        stylesheet = re.search(r'href="(/static/vendor/govuk/govuk-frontend\.min\.[0-9a-f]{12}\.css)"', page)
        assert stylesheet, "the sign-in page does not name the hashed GOV.UK stylesheet"
        assert browser.get(stylesheet.group(1))[0] == 200

        status, headers, _ = browser.post(
            "/accounts/login/",
            {"username": "prod-lead", "password": PASSWORD, "csrfmiddlewaretoken": csrf_token(page)},
        )
        assert (status, headers["Location"]) == (302, "/"), "signing in failed"
        assert "sessionid" in browser.cookies

        month = f"{timezone.localdate():%Y-%m}"
        before = kpis(browser, month)["national"]
        assert before["audits"] == 0

        check = f"/audits/{setup['audit']}/check/"
        status, _, page = browser.get(check)
        assert status == 200, page
        version = re.search(r'name="version" value="(\d+)"', page).group(1)
        form = {
            "csrfmiddlewaretoken": csrf_token(page),
            "overall_grade": str(setup["good"]),
            "rationale": "",
            "family_feedback": "no",
            "version": version,
        }
        status, headers, body = browser.post(check, form)
        assert status == 302 and headers["Location"].endswith("/confirmation/"), body[:3000]

        # The page returned at once; the worker rolls the month up from the queue.
        after = wait_for(
            "the worker's roll-up reaching the API", lambda: (f := kpis(browser, month)["national"])["audits"] and f, 60
        )
        assert (after["audits"], after["good"]) == (before["audits"] + 1, before["good"] + 1)
        region = next(r for r in kpis(browser, month)["regions"] if r["code"] == setup["region"])
        assert (region["audits"], region["good"]) == (1, 1)
    finally:
        honcho.send_signal(signal.SIGTERM)
        try:
            honcho.wait(timeout=30)
            stopped_cleanly = True
        except subprocess.TimeoutExpired:
            stopped_cleanly = False
        leftovers = processes_marked(production_env["PRODUCTION_RUN_MARKER"])
        for pid in leftovers:  # only the processes this test started carry its marker
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        log.close()
    output = (tmp_path / "honcho.log").read_text()
    assert stopped_cleanly, f"honcho did not stop within 30 s:\n{output[-3000:]}"
    assert leftovers == [], f"processes left running after honcho stopped: {leftovers}"
    for name in ("web", "worker", "beat"):
        assert re.search(rf"^\S+ {name}\.1 +\| ", output, re.MULTILINE), f"{name} never ran:\n{output[-3000:]}"
    assert "Traceback" not in output, output[-5000:]
