"""The load test's people (run by `python -m benchmarks.loadtest`, `make loadtest`; not alone).

Four kinds of people, in the proportions of a working day: service managers, auditors (who
also save drafts of their open audits: "grading saves"), practitioners and the assistant
director. Each signs in once (reported apart as "sign-in") and then opens their daily pages
with a think time of 0.5–1.5 s. The people, their password and their pages come from the
plan the runner writes (LOADTEST_PLAN, JSON). Requests are named by page, so the figures
are per page whatever the ids in the paths.
"""

import itertools
import json
import os
import random
import re

from locust import HttpUser, between, task

PLAN = json.loads(open(os.environ["LOADTEST_PLAN"], encoding="utf-8").read())  # noqa: SIM115, PTH123
MARK = PLAN["mark"]  # written into the evidence of every save, to count them afterwards
_people = {kind: itertools.cycle(people) for kind, people in PLAN["people"].items()}
# Each simulated user takes the next (person, session) of its kind: the people in turn, then their next sessions.
_sessions = {
    kind: itertools.cycle([(p, p["sessions"][n]) for n in range(len(people[0]["sessions"])) for p in people])
    for kind, people in PLAN["people"].items()
}

CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION_RE = re.compile(r'name="version" value="(\d+)"')
CHOICE_RE = re.compile(r'<input[^>]*name="(c\d+-(?:grade|answer))"[^>]*value="([^"]*)"')
EVIDENCE_RE = re.compile(r'<textarea[^>]*name="(c\d+-evidence)"')


class Person(HttpUser):
    abstract = True
    wait_time = between(0.5, 1.5)
    kind = ""

    def on_start(self):
        # Signed in already (a session the runner made, as `login()` makes them): the page figures
        # are of the pages; sign-in is the `SigningIn` person's, on its own row.
        self.me, session = next(_sessions[self.kind])
        self.client.cookies.set("sessionid", session)

    def open(self, name: str, path: str | None = None):
        path = path or self.me["pages"][name]
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
            elif "/accounts/login/" in response.url:
                response.failure("signed out")


def pages(weights: dict[str, int]) -> dict:
    """Locust tasks that open the named daily pages, each with its weight (how often, relative)."""
    return {(lambda user, name=name: user.open(name)): weight for name, weight in weights.items()}


class ServiceManager(Person):
    weight = 3
    kind = "service_manager"
    tasks = pages(
        {
            "audits_region": 4,
            "dashboard_region": 2,
            "cases_list": 2,
            "case_detail": 2,
            "audit_detail": 2,
            "dashboard_team": 1,
            "feedback_list": 1,
            "plans_list": 1,
            "home": 1,
        }
    )


class Auditor(Person):
    weight = 4
    kind = "auditor"
    tasks = pages({"audits_todo": 3, "audits_done": 1, "audit_detail": 2, "cases_list": 1, "home": 1})

    @task(3)
    def grading_save(self):
        """Open section 1 of an open audit and save a draft of it ("save and come back later")."""
        path = self.me["pages"]["audit_section"]
        page = self.client.get(path, name="audit_section")
        if page.status_code != 200:
            return
        csrf, version = CSRF_RE.search(page.text), VERSION_RE.search(page.text)
        if not csrf or not version:
            return
        data = {"csrfmiddlewaretoken": csrf.group(1), "version": version.group(1), "action": "later"}
        choices = {}
        for name, value in CHOICE_RE.findall(page.text):
            choices.setdefault(name, []).append(value)
        for name, values in choices.items():
            data[name] = random.choice(values)  # noqa: S311 (a load test's answers)
        evidence = EVIDENCE_RE.findall(page.text)
        written = f"{MARK} {random.random():.12f}"  # noqa: S311
        if evidence:
            data[evidence[0]] = written
        with self.client.post(
            path,
            data,
            name="grading_save",
            catch_response=True,
            allow_redirects=False,
            headers={"Referer": self.host + path},
        ) as response:
            if response.status_code == 302:
                response.success()
                if evidence:  # every save answered as saved, the ramp's too: checked in the history afterwards
                    with open(os.environ["LOADTEST_SAVES"], "a", encoding="utf-8") as saved:  # noqa: PTH123
                        saved.write(written + "\n")
            elif response.status_code == 409:
                response.failure("refused as a conflict (the person is told; nothing overwritten)")
            else:
                response.failure(f"HTTP {response.status_code}")


class Practitioner(Person):
    weight = 2
    kind = "practitioner"
    tasks = pages({"audits_my_work": 3, "cases_list": 2, "case_detail": 2, "home": 1})


class Director(Person):
    weight = 1
    kind = "assistant_director"
    tasks = pages({"dashboard_national": 3, "api_kpis": 2, "plans_list": 1, "plan_detail": 1, "home": 1})


class SigningIn(HttpUser):
    """One person signing in and out again and again, every 2–4 s: sign-in measured apart, under
    the same load, without a burst of password hashing at each step's start."""

    fixed_count = 1
    wait_time = between(2, 4)

    def on_start(self):
        self.me = next(_people["auditor"])

    @task
    def sign_in(self):
        self.client.cookies.clear()
        page = self.client.get("/accounts/login/", name="sign-in form")
        token = CSRF_RE.search(page.text)
        self.client.post(
            "/accounts/login/",
            {
                "username": self.me["username"],
                "password": PLAN["password"],
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            name="sign-in",
            headers={"Referer": self.host + "/accounts/login/"},
        )
