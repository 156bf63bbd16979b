"""GET /api/v1/criteria/ and the KPI API's "feedback": figures computed by hand from hand-built rows."""

import datetime
import math
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audits.models import AuditTemplate, Judgement
from audits.tests.factories import CompletedAuditFactory
from cases.tests.factories import CaseFactory
from dashboards.rollup import rollup_all, rollup_slice
from feedback.tests.factories import FeedbackFactory

from .helpers import wilson_by_hand
from .sql import tables_read

pytestmark = pytest.mark.django_db

URL = "/api/v1/criteria/"
JUNE = datetime.date(2025, 6, 12)


def _standard():
    template = AuditTemplate.objects.get(slug="standard", is_current=True)
    return template, {c.code: c for c in template.criteria.all()}


def _audit(team, template, day, judgements, grade=3):
    audit = CompletedAuditFactory(case__team=team, template=template, overall_grade=grade, completed_on=day)
    for criterion, (g, a) in judgements.items():
        Judgement.objects.create(audit=audit, criterion=criterion, grade=g, answer=a)
    return audit


@pytest.fixture
def data(team, other_team):
    """Random judgements of two criteria (one yes/no, one graded) in two regions, and the
    expected counts kept beside them in plain Python."""
    template, criteria = _standard()
    seen, wishes = criteria["child-seen"], criteria["wishes-feelings"]
    rng = random.Random(13)
    expected = {}  # (code, region code) -> [k, n]
    for t in (team, other_team):
        for i in range(rng.randint(6, 12)):
            answer = rng.choice([True, False, None])
            grade = rng.choice([1, 2, 3, 4, None])
            _audit(t, template, JUNE + datetime.timedelta(days=i % 10), {seen: (None, answer), wishes: (grade, None)})
            if answer is not None:
                row = expected.setdefault(("child-seen", t.region.code), [0, 0])
                row[0] += answer
                row[1] += 1
            if grade is not None:
                row = expected.setdefault(("wishes-feelings", t.region.code), [0, 0])
                row[0] += grade >= 3
                row[1] += 1
    # Outside the window: never counted.
    _audit(team, template, datetime.date(2025, 8, 1), {seen: (None, True), wishes: (4, None)})
    rollup_all()
    return expected


def _close(a, b):
    return (a is None and b is None) or math.isclose(a, b, rel_tol=1e-9)


def test_every_criterion_region_and_national_figure_equals_the_count_by_hand(client, board_member, data):
    client.force_login(board_member)
    body = client.get(URL, {"from": "2025-06", "to": "2025-07"}).json()
    assert set(body) == {"from", "to", "computed_at", "criteria"}
    by_code = {c["code"]: c for c in body["criteria"]}
    assert set(by_code) == {"child-seen", "wishes-feelings"}
    assert by_code["child-seen"]["kind"] == "yes_no" and by_code["wishes-feelings"]["kind"] == "graded"
    for code, key in (("child-seen", "yes_pct"), ("wishes-feelings", "good_or_better_pct")):
        entry = by_code[code]
        assert set(entry) == {"code", "text", "kind", "regions", "national"}
        assert [r["code"] for r in entry["regions"]] == ["north-east", "south-west"]
        for row in entry["regions"]:
            k, n = data.get((code, row["code"]), [0, 0])
            assert set(row) == {"code", "n", key, "ci95"}
            assert row["n"] == n
            assert _close(row[key], 100 * k / n if n else None)
            if n:
                assert all(math.isclose(a, b) for a, b in zip(row["ci95"], wilson_by_hand(k, n), strict=True))
        k = sum(v[0] for (c, _), v in data.items() if c == code)
        n = sum(v[1] for (c, _), v in data.items() if c == code)
        assert entry["national"]["n"] == n and _close(entry["national"][key], 100 * k / n)


def test_a_manager_sees_their_region_and_the_national_figure_only(client, service_manager, data):
    client.force_login(service_manager)
    body = client.get(URL, {"from": "2025-06", "to": "2025-06"}).json()
    for entry in body["criteria"]:
        assert [r["code"] for r in entry["regions"]] == ["north-east"]
    assert client.get(URL, {"from": "2025-06", "to": "2025-06", "region": "south-west"}).status_code == 403


def test_the_template_filter_and_bad_input(client, board_member, data):
    client.force_login(board_member)
    body = client.get(URL, {"from": "2025-06", "to": "2025-06", "template": "domestic-abuse"}).json()
    assert body["criteria"] == []
    assert len(client.get(URL, {"from": "2025-06", "to": "2025-06", "template": "standard"}).json()["criteria"]) == 2
    for params in (
        {"from": "2025-06", "to": "2025-06", "template": "nope"},
        {"from": "2025-13", "to": "2025-06"},
        {"from": "2025-06"},
        {"from": "2025-06", "to": "2025-06", "region": "x\x00"},
    ):
        response = client.get(URL, params)
        assert response.status_code == 400 and "error" in response.json()
    assert client.get(URL, {"from": "2025-06", "to": "2025-06"}, HTTP_AUTHORIZATION="").status_code == 200
    client.logout()
    assert client.get(URL, {"from": "2025-06", "to": "2025-06"}).status_code == 401


def test_constant_snapshot_only_queries(client, board_member, team):
    template, criteria = _standard()
    _audit(team, template, JUNE, {criteria["child-seen"]: (None, True)})
    rollup_all()
    client.force_login(board_member)
    with CaptureQueriesContext(connection) as small:
        assert client.get(URL, {"from": "2025-01", "to": "2025-12"}).status_code == 200
    for c in criteria.values():
        if not c.limiting:  # a limiting criterion graded low would not fit a Good audit
            _audit(team, template, JUNE, {c: (None, True) if c.kind == "yes_no" else (2, None)})
    rollup_all()
    with CaptureQueriesContext(connection) as large:
        assert client.get(URL, {"from": "2025-01", "to": "2025-12"}).status_code == 200
    assert len(small.captured_queries) == len(large.captured_queries)
    assert not {t for t in tables_read(large.captured_queries) if t.startswith(("audits_", "cases_", "feedback_"))}


def test_a_slice_roll_up_keeps_the_criterion_results_current(client, board_member, team):
    template, criteria = _standard()
    audit = _audit(team, template, JUNE, {criteria["child-seen"]: (None, False)})
    rollup_slice(region_id=audit.region_id, month=JUNE)
    client.force_login(board_member)
    body = client.get(URL, {"from": "2025-06", "to": "2025-06"}).json()
    national = body["criteria"][0]["national"]
    assert national["n"] == 1 and national["yes_pct"] == 0.0
    assert national["ci95"] == pytest.approx([max(0.0, b) for b in wilson_by_hand(0, 1)], abs=1e-9)


# ---- the KPI API's feedback per respondent type ----------------------------------------------


def test_feedback_by_respondent_equals_the_figures_by_hand(client, board_member, team, other_team):
    rng = random.Random(5)
    rows = []
    for t in (team, other_team):
        case = CaseFactory(team=t)
        for _ in range(25):
            who = rng.choice(["child", "parent_carer", "judge", "professional"])
            helpfulness = rng.choice([None, *range(11)])
            helped = rng.choice([None, True, False])
            understood = rng.choice([None, True, False])
            FeedbackFactory(
                case=case,
                respondent=who,
                helpfulness=helpfulness,
                worker_helped=helped,
                understood_recommendation=understood,
                received_on=JUNE,
            )
            rows.append((t.region.code, who, helpfulness, helped, understood))
    FeedbackFactory(
        case=CaseFactory(team=team), respondent="child", worker_helped=False, received_on=datetime.date(2025, 9, 1)
    )
    rollup_all()
    client.force_login(board_member)
    body = client.get("/api/v1/kpis/", {"from": "2025-06", "to": "2025-06"}).json()

    def by_hand(subset):
        child = [h for _, w, _, h, _ in subset if w == "child" and h is not None]
        out = {"child": {"n": len(child), "worker_helped_pct": 100 * sum(child) / len(child) if child else None}}
        for who in ("parent_carer", "judge"):
            scores = [s for _, w, s, _, _ in subset if w == who and s is not None]
            out[who] = {"n": len(scores), "mean_helpfulness": sum(scores) / len(scores) if scores else None}
        understood = [u for *_, u in subset if u is not None]
        out["understood_pct"] = 100 * sum(understood) / len(understood)
        return out

    def same(got, want):
        assert set(got) == set(want)
        for key, value in want.items():
            if isinstance(value, dict):
                same(got[key], value)
            else:
                assert _close(got[key], value), (key, got[key], value)

    for region in body["regions"]:
        same(region["feedback"], by_hand([r for r in rows if r[0] == region["code"]]))
    same(body["national"]["feedback"], by_hand(rows))
