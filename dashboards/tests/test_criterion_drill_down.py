"""Drill-down from a yes/no criterion's '% yes (k of n)' to the audits behind it: k links to the
audits whose judgement on that criterion was yes, n to those answered at all, and each list holds
exactly that many audits. Expected figures are counted here from the hand-built judgements."""

import datetime
import random

import pytest
import time_machine
from django.urls import reverse

from audits.models import AuditTemplate, Judgement
from audits.tests.factories import CompletedAuditFactory
from dashboards.rollup import rollup_all
from organisation.tests.factories import TeamFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2025, 11, 20, 12, tzinfo=datetime.UTC)
CODE = "case-plan-day-10"


@pytest.fixture
def answers(region, team, other_team):
    """[(region code, team code, completed on, answer)] of one yes/no criterion over three teams."""
    template = AuditTemplate.objects.get(slug="standard", is_current=True)
    criterion = template.criteria.get(code=CODE)
    diverse = template.criteria.get(code="diverse-needs")
    tees = TeamFactory(code="ne-tees", name="Teesside", region=region)
    rng = random.Random(5)
    rows = []
    for t in (team, tees, other_team):
        for _ in range(12):
            day = datetime.date(2025, rng.choice([6, 7, 8]), rng.randint(1, 28))
            audit = CompletedAuditFactory(case__team=t, template=template, completed_on=day, overall_grade=3)
            answer = rng.choice([True, True, False, None])
            if answer is not None:
                Judgement.objects.create(audit=audit, criterion=criterion, answer=answer)
            Judgement.objects.create(audit=audit, criterion=diverse, grade=rng.choice([1, 2, 3, 4]))
            rows.append((t.region.code, t.code, day, answer))
    rollup_all()
    return rows


def _by_hand(rows, first, last, region=None, team=None):
    chosen = [
        answer
        for r, t, day, answer in rows
        if first <= day <= last and region in (None, r) and team in (None, t) and answer is not None
    ]
    return sum(chosen), len(chosen)


def _listed(client, href) -> int:
    response = client.get(href)
    assert response.status_code == 200, href
    return response.context["page"].paginator.count


def _check(client, page, scope, expected) -> None:
    table = page.context["tables"]["yes_no"]
    names = [c.label.removesuffix(": yes") for c in table.columns]
    text = AuditTemplate.objects.get(slug="standard", is_current=True).criteria.get(code=CODE).text
    row = next(r for r in table.rows if r[0].text == text)
    cell = row[names.index(scope)]
    yes, answered = expected
    assert cell.text.endswith(f"({yes} of {answered})")
    assert f"criterion={CODE}" in cell.href
    assert _listed(client, cell.href) == yes
    ((_, href, count),) = cell.more
    assert count == answered and _listed(client, href) == answered


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("period", "first", "last"),
    [
        ("2025-07", datetime.date(2025, 7, 1), datetime.date(2025, 7, 31)),
        ("2025-Q3", datetime.date(2025, 7, 1), datetime.date(2025, 9, 30)),
    ],
)
def test_yes_no_figures_link_to_exactly_their_audits(
    client, service_manager, region, team, answers, period, first, last
):
    client.force_login(service_manager)
    page = client.get(reverse("dashboards:region", args=[region.code]), {"period": period})
    _check(client, page, region.name, _by_hand(answers, first, last, region=region.code))
    page = client.get(reverse("dashboards:team", args=[region.code, team.code]), {"period": period})
    _check(client, page, team.name, _by_hand(answers, first, last, region=region.code, team=team.code))
    _check(client, page, region.name, _by_hand(answers, first, last, region=region.code))
    national_column = page.context["tables"]["yes_no"].columns[-1].label
    assert national_column == "National: yes"
    assert not any(row[-1].href for row in page.context["tables"]["yes_no"].rows)


@time_machine.travel(NOW, tick=False)
def test_national_yes_no_figures_link_for_a_quality_admin_not_the_board(client, quality_admin, board_member, answers):
    first, last = datetime.date(2025, 7, 1), datetime.date(2025, 9, 30)
    client.force_login(quality_admin)
    page = client.get(reverse("dashboards:national"), {"period": "2025-Q3"})
    _check(client, page, "National", _by_hand(answers, first, last))
    client.force_login(board_member)
    page = client.get(reverse("dashboards:national"), {"period": "2025-Q3"})
    assert "criterion=" not in page.content.decode()


def test_the_audit_list_criterion_filter_reports_bad_values(client, quality_admin, answers):
    client.force_login(quality_admin)
    response = client.get(
        reverse("audits:list"), {"section": "region", "criterion": "no such!", "criterion_answer": "maybe"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Enter a criterion code: letters, digits, hyphens and underscores only." in body
    assert "Choose a criterion answer from the list." in body
    response = client.get(reverse("audits:list"), {"section": "region", "criterion_answer": "yes"})
    assert response.status_code == 400
    assert "Enter the criterion code whose answer to filter by." in response.content.decode()
    # "no" lists the audits answered no: with "yes", every answered audit, and none twice.
    listed = {
        answer: _listed(
            client,
            reverse("audits:list") + f"?section=region&status=completed&criterion={CODE}&criterion_answer={answer}",
        )
        for answer in ("yes", "no", "")
    }
    assert listed["yes"] + listed["no"] == listed[""] == sum(a is not None for *_, a in answers)
    assert listed["no"] == sum(a is False for *_, a in answers)


def test_the_criterion_filter_adds_no_query_to_the_audit_list(
    client, quality_admin, team, django_assert_max_num_queries
):
    """The region list's pin (11, audits/tests/test_list.py) holds with the criterion filter on."""
    template = AuditTemplate.objects.get(slug="standard", is_current=True)
    criterion = template.criteria.get(code=CODE)

    def grow(n):
        for i in range(n):
            audit = CompletedAuditFactory(case__team=team, template=template, completed_on=datetime.date(2025, 7, 2))
            Judgement.objects.create(audit=audit, criterion=criterion, answer=i % 2 == 0)

    params = {"section": "region", "status": "completed", "criterion": CODE, "criterion_answer": "yes"}
    grow(4)
    client.force_login(quality_admin)
    with django_assert_max_num_queries(11):
        small = client.get(reverse("audits:list"), params)
    grow(40)
    with django_assert_max_num_queries(11):
        large = client.get(reverse("audits:list"), params)
    assert (small.context["page"].paginator.count, large.context["page"].paginator.count) == (2, 22)
