"""`python -m benchmarks.loadtest` (`make loadtest`): locust against gunicorn on loopback, bounded.

Uses the benchmark database (`--db`, default qa_bench) that `python -m benchmarks --audits N`
seeded; refuses when it holds no synthetic data. Gives a pool of synthetic people one
password, writes the plan the locustfile reads (who opens which pages), starts gunicorn
(`--workers` sync workers, or gthread ones with `--threads N`, on a free loopback port,
persistent database connections, the cache on Redis when CACHE_URL names it), and runs locust
headless once per step of users (`--steps 10,25,50`, `--step-seconds` each; think time 0.5–1.5 s; the figures start once
every user is spawned). The simulated people start with signed-in sessions made beforehand, as
people at work are; sign-in (deliberately slow password hashing) runs as a steady trickle by a
person of its own and is reported on its own row, out of the page figures. Per page: requests,
failures, p50/p95/p99 and throughput; per step: total throughput and p95, so the saturation
point shows. Saves: every grading save answered as saved (the ramps' too) is looked for by
its evidence in the audits' history afterwards (a lost save would be missing). Records a
section in benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
PASSWORD = "loadtest-" + "x" * 12  # noqa: S105 (synthetic people on the benchmark database only)


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.loadtest", description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="qa_bench", help="the benchmark database (qa_bench)")
    parser.add_argument("--steps", default="10,25,50", help="concurrent users per step (10,25,50)")
    parser.add_argument("--step-seconds", type=int, default=45, help="seconds per step (45), at most 600")
    parser.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("WEB_CONCURRENCY", "3")),
        help="gunicorn workers (WEB_CONCURRENCY or 3, as the Procfile: 4 on 2 cores queued more, 30 Nov)",
    )
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per worker (1: sync workers; more: gthread workers)"
    )
    parser.add_argument("--people", type=int, default=40, help="synthetic people per role in the pool (40)")
    parser.add_argument("--no-record", action="store_true", help="do not write benchmarks/RESULTS.md")
    args = parser.parse_args(argv)
    args.steps = [int(s) for s in args.steps.split(",") if s.strip()]
    if not args.steps or min(args.steps) < 1 or max(args.steps) > 200:
        parser.error("--steps: users between 1 and 200")
    if not 5 <= args.step_seconds <= 600:
        parser.error("--step-seconds must be between 5 and 600")
    return args


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---- the plan: who opens which pages ---------------------------------------------------------


def _pages_for(person, role, region, done, open_audit, team, plan_pk, api) -> dict:
    pages = {"home": "/", "cases_list": "/cases/", "plans_list": "/plans/", "feedback_list": "/feedback/"}
    if role == "service_manager":
        pages.update(
            audits_region="/audits/?section=region",
            dashboard_region=f"/dashboards/regions/{region.code}/",
            dashboard_team=f"/dashboards/regions/{region.code}/teams/{team.code}/",
            case_detail=f"/cases/{done.case.reference}/",
            audit_detail=f"/audits/{done.pk}/",
        )
    elif role == "auditor":
        pages.update(
            audits_todo="/audits/?section=todo",
            audits_done="/audits/?section=done",
            audit_detail=f"/audits/{open_audit.pk}/",
            audit_section=f"/audits/{open_audit.pk}/sections/1/",
        )
    elif role == "practitioner":
        pages.update(audits_my_work="/audits/?section=my-work", case_detail=f"/cases/{done.case.reference}/")
    else:
        pages.update(dashboard_national="/dashboards/", api_kpis=api, plan_detail=f"/plans/{plan_pk}/")
    return {"username": person.username, "pages": pages}


def build_plan(people_per_role: int, mark: str) -> dict:
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    from audits.models import Audit, AuditStatus
    from dashboards.synthetic import PREFIX
    from organisation.models import Region, Team, User
    from organisation.roles import Role

    from .daily import _bench_plan
    from .harness import _last_month, _viewer

    last = _last_month()
    first = datetime.date(last.year - 1, last.month, 1) + datetime.timedelta(days=31)
    api = f"/api/v1/kpis/?from={first:%Y-%m}&to={last:%Y-%m}"
    director = _viewer(Role.ASSISTANT_DIRECTOR)
    plan_pk = _bench_plan(director).pk
    regions = {r.pk: r for r in Region.objects.all()}
    teams = {t.pk: t for t in Team.objects.all()}
    people: dict[str, list] = {"service_manager": [], "auditor": [], "practitioner": [], "assistant_director": []}
    latest_done = {}
    for audit in (
        Audit.objects.filter(status=AuditStatus.COMPLETED, practitioner__username__startswith=PREFIX)
        .select_related("case", "practitioner")
        .order_by("-completed_on", "-pk")[: people_per_role * 20]
    ):
        latest_done.setdefault(audit.practitioner_id, audit)
    by_region = {}
    for audit in latest_done.values():
        by_region.setdefault(audit.region_id, audit)
    for manager in User.objects.filter(username__startswith=PREFIX, groups__name=Role.SERVICE_MANAGER):
        done = by_region.get(manager.region_id)
        if done:
            people["service_manager"].append(
                _pages_for(
                    manager, "service_manager", regions[done.region_id], done, None, teams[done.team_id], plan_pk, api
                )
            )
    seen = set()
    for audit in (
        Audit.objects.filter(
            status__in=[AuditStatus.SCHEDULED, AuditStatus.IN_PROGRESS], auditor__username__startswith=PREFIX
        )
        .select_related("auditor")
        .order_by("due_on", "pk")[: people_per_role * 20]
    ):
        if audit.auditor_id not in seen and len(seen) < people_per_role:
            seen.add(audit.auditor_id)
            people["auditor"].append(_pages_for(audit.auditor, "auditor", None, None, audit, None, plan_pk, api))
    for audit in list(latest_done.values())[:people_per_role]:
        people["practitioner"].append(
            _pages_for(audit.practitioner, "practitioner", None, audit, None, None, plan_pk, api)
        )
    people["assistant_director"].append(
        _pages_for(director, "assistant_director", None, None, None, None, plan_pk, api)
    )
    missing = [role for role, pool in people.items() if not pool]
    if missing:
        raise SystemExit(
            f"No synthetic people for {', '.join(missing)}: seed with `python -m benchmarks --audits N` first."
        )
    # One password for the pool (hashed once, at the production work factor).
    encoded = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
    usernames = [p["username"] for pool in people.values() for p in pool]
    User.objects.filter(username__in=usernames).update(password=encoded)
    sign_in_people(people)
    return {"mark": mark, "password": PASSWORD, "people": people, "usernames": usernames}


SESSIONS_PER_PERSON = 8  # simulated users take a person's sessions in turn (a person in several tabs)


def sign_in_people(people: dict[str, list]) -> None:
    """Give each person of the pool signed-in sessions, made here as Django's `login()` makes them.

    The simulated people start signed in, as people at work are: the page figures are of the
    pages alone, not of a burst of password hashing at each step's start (issue 16: sign-in is
    measured apart). Sign-in itself runs as a steady trickle by a person of its own (the
    locustfile's `SigningIn`), reported on its own row.
    """
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from organisation.models import User

    users = User.objects.in_bulk([p["username"] for pool in people.values() for p in pool], field_name="username")
    backend = "django.contrib.auth.backends.ModelBackend"
    assert backend in settings.AUTHENTICATION_BACKENDS
    for pool in people.values():
        for person in pool:
            user = users[person["username"]]
            person["sessions"] = []
            for _ in range(SESSIONS_PER_PERSON):
                session = SessionStore()
                session[SESSION_KEY] = str(user.pk)
                session[BACKEND_SESSION_KEY] = backend
                session[HASH_SESSION_KEY] = user.get_session_auth_hash()
                session.create()
                person["sessions"].append(session.session_key)


# ---- gunicorn and locust ----------------------------------------------------------------------


def start_server(port: int, workers: int, database_url: str, threads: int = 1) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cafcass_qa.settings.local",
        "DEBUG": "false",
        "DATABASE_URL": database_url,
        "CONN_MAX_AGE": os.environ.get("CONN_MAX_AGE", "60"),
        "LOG_LEVEL": "WARNING",
    }
    command = [
        "nice", "-n", "19", str(VENV_BIN / "gunicorn"), "cafcass_qa.wsgi", "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers), "--timeout", "30", "--log-level", "warning",
    ]  # fmt: skip
    if threads > 1:
        command += ["--worker-class", "gthread", "--threads", str(threads)]
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)  # noqa: S603
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2) as r:  # noqa: S310
                if r.status == 200:
                    return server
        except OSError:
            time.sleep(0.5)
    stop_server(server)
    raise SystemExit("gunicorn did not answer within 60 s")


def stop_server(server: subprocess.Popen) -> None:
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(server.pid, signal.SIGKILL)


def _number(text: str) -> float:
    """A figure of locust's CSV; "N/A" (a page with no request in the step) as 0."""
    try:
        return float(text)
    except (TypeError, ValueError):
        return 0.0


def run_locust(port: int, users: int, seconds: int, plan_path: Path, out_prefix: Path) -> dict:
    command = [
        "nice", "-n", "19", str(VENV_BIN / "locust"), "-f", str(ROOT / "benchmarks" / "locustfile.py"),
        "--headless", "--users", str(users), "--spawn-rate", str(max(1, users // 5)), "--run-time", f"{seconds}s",
        "--host", f"http://127.0.0.1:{port}", "--csv", str(out_prefix), "--only-summary", "--stop-timeout", "5",
        "--reset-stats", "--loglevel", "WARNING",
    ]  # fmt: skip
    env = {**os.environ, "LOADTEST_PLAN": str(plan_path), "LOADTEST_SAVES": str(plan_path.parent / "saves.txt")}
    started = time.monotonic()
    load_before = os.getloadavg()
    subprocess.run(command, cwd=ROOT, env=env, check=False, timeout=seconds + 120, capture_output=True)  # noqa: S603
    pages = {}
    with open(f"{out_prefix}_stats.csv", newline="", encoding="utf-8") as handle:  # noqa: PTH123
        for row in csv.DictReader(handle):
            pages[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "p50_ms": _number(row["50%"]),
                "p95_ms": _number(row["95%"]),
                "p99_ms": _number(row["99%"]),
                "max_ms": _number(row["Max Response Time"]),
                "rps": round(_number(row["Requests/s"]), 2),
            }
    return {
        "users": users,
        "seconds": round(time.monotonic() - started, 1),
        "load_average": [round(x, 2) for x in load_before],
        "load_average_end": [round(x, 2) for x in os.getloadavg()],
        "pages": pages,
    }


def saves_kept(mark: str) -> int:
    from audits.models import Judgement

    return Judgement.history.filter(evidence__startswith=mark).count()


def saves_lost(saved: list[str]) -> list[str]:
    """The evidence of every save answered as saved that is not in the audits' history."""
    from audits.models import Judgement

    found = set()
    for start in range(0, len(saved), 1000):
        chunk = saved[start : start + 1000]
        found |= set(Judgement.history.filter(evidence__in=chunk).values_list("evidence", flat=True))
    return [value for value in saved if value not in found]


# ---- the record --------------------------------------------------------------------------------


def step_table(steps: list[dict]) -> str:
    lines = [
        "| users | requests/s | p50 ms | p95 ms | p99 ms | failures | slowest page's p95 (sign-in aside) "
        "| load average (start → end) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for step in steps:
        total = step["pages"].get("Aggregated", {})
        pages = {n: p for n, p in step["pages"].items() if not (n.startswith("sign-in") or n == "Aggregated")}
        slowest = max(pages, key=lambda n: pages[n]["p95_ms"]) if pages else None
        worst = f"{pages[slowest]['p95_ms']:.0f} ms ({slowest})" if slowest else "–"
        lines.append(
            f"| {step['users']} | {total.get('rps', 0)} | {total.get('p50_ms', 0):.0f} | "
            f"{total.get('p95_ms', 0):.0f} | {total.get('p99_ms', 0):.0f} | {total.get('failures', 0)} | {worst} | "
            f"{step['load_average'][0]} → {step['load_average_end'][0]} |"
        )
    return "\n".join(lines)


def page_table(step: dict) -> str:
    lines = [
        "| page | requests | failures | p50 ms | p95 ms | p99 ms | max ms | requests/s | p95 < 150 ms |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, page in sorted(step["pages"].items(), key=lambda item: (item[0] == "Aggregated", item[0])):
        apart = name.startswith("sign-in") or name == "Aggregated"
        mark = "–" if apart else ("met" if page["p95_ms"] < 150 and not page["failures"] else "MISSED")
        lines.append(
            f"| {name} | {page['requests']} | {page['failures']} | {page['p50_ms']:.0f} | {page['p95_ms']:.0f} | "
            f"{page['p99_ms']:.0f} | {page['max_ms']:.0f} | {page['rps']} | {mark} |"
        )
    return "\n".join(lines)


def _workers_text(result: dict) -> str:
    threads = result.get("threads", 1)
    if threads > 1:
        return f"{result['workers']} gthread workers × {threads} threads"
    return f"{result['workers']} sync workers"


def record(result: dict) -> None:
    from .report import RESULTS

    lost = result.get("saves_lost")
    verdict = "none lost" if lost == 0 else f"{lost} LOST: see the JSON"
    block = "\n".join(
        [
            "<!-- loadtest -->",
            f"### Load test — measured {result['measured_at']} on `{result['database']}` "
            f"({result['audits']:,} completed audits)",
            "",
            f"gunicorn {_workers_text(result)} on loopback, locust on the same 2 cores "
            f"(both `nice -n 19`), think time 0.5–1.5 s, {result['step_seconds']} s per step (figures from the "
            "moment every user is spawned: locust --reset-stats); "
            f"persistent connections (CONN_MAX_AGE "
            f"{result['conn_max_age']}), cache `{result['cache']}`. The machine is shared: load averages below.",
            "",
            step_table(result["steps"]),
            "",
            *[
                line
                for step in result["steps"]
                for line in (f"Per page at {step['users']} users:", "", page_table(step), "")
            ],
            f"Grading saves: {result['saves_answered']} answered as saved over the whole run (ramps included; "
            f"{result['saves_ok']} within the measured windows), each looked for in the audits' history "
            f"afterwards ({verdict}; {result['saves_kept']} saves of this run there in all).",
            "<!-- /loadtest -->",
        ]
    )
    text = RESULTS.read_text(encoding="utf-8")
    start, end = "<!-- loadtest -->", "<!-- /loadtest -->"
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    elif "<!-- bench:end -->" in text:
        text = text.replace("<!-- bench:end -->", f"{block}\n\n<!-- bench:end -->")
    else:
        text = text.rstrip() + f"\n\n{block}\n"
    RESULTS.write_text(text, encoding="utf-8")


def main(argv=None) -> int:
    args = parse_args(argv)
    from .__main__ import bench_url

    url = bench_url(os.environ.get("DATABASE_URL"), args.db)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cafcass_qa.settings.test")
    import django

    django.setup()
    from audits.models import Audit, AuditStatus
    from dashboards.synthetic import synthetic_exists

    if not synthetic_exists():
        raise SystemExit(f'No synthetic data in {args.db}: run `make bench BENCH_ARGS="--audits N"` first.')
    mark = f"loadtest-{uuid.uuid4().hex[:12]}"
    plan = build_plan(args.people, mark)
    port = free_port()
    result = {
        "measured_at": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "database": args.db,
        "audits": Audit.objects.filter(status=AuditStatus.COMPLETED).count(),
        "workers": args.workers,
        "threads": args.threads,
        "step_seconds": args.step_seconds,
        "conn_max_age": os.environ.get("CONN_MAX_AGE", "60"),
        "cache": os.environ.get("CACHE_URL", "local memory per worker"),
        "steps": [],
    }
    with tempfile.TemporaryDirectory() as directory:
        plan_path = Path(directory) / "plan.json"
        plan_path.write_text(json.dumps(plan), encoding="utf-8")
        server = start_server(port, args.workers, url, args.threads)
        try:
            for users in args.steps:
                print(f"{users} users for {args.step_seconds} s...", file=sys.stderr, flush=True)
                step = run_locust(port, users, args.step_seconds, plan_path, Path(directory) / f"u{users}")
                result["steps"].append(step)
                total = step["pages"].get("Aggregated", {})
                print(f"  {total.get('rps')} requests/s, p95 {total.get('p95_ms')} ms", file=sys.stderr, flush=True)
        finally:
            stop_server(server)
        saves_file = Path(directory) / "saves.txt"
        saved = saves_file.read_text(encoding="utf-8").splitlines() if saves_file.exists() else []
    result["saves_ok"] = sum(
        s["pages"].get("grading_save", {}).get("requests", 0) - s["pages"].get("grading_save", {}).get("failures", 0)
        for s in result["steps"]
    )
    result["saves_kept"] = saves_kept(mark)
    result["saves_answered"] = len(saved)
    missing = saves_lost(saved)
    result["saves_lost"] = len(missing)
    result["saves_lost_examples"] = missing[:10]
    from organisation.models import User

    User.objects.filter(username__in=plan["usernames"]).update(password="!loadtest")  # noqa: S106 (unusable again)
    print(json.dumps(result, indent=2))
    print(step_table(result["steps"]))
    print(page_table(result["steps"][-1]))
    if not args.no_record:
        record(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
