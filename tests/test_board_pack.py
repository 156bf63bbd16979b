"""GET /dashboards/board-pack.pdf: a real PDF whose text (read back with pypdf) holds the same figures
as the national page, the plans' RAG and overdue actions, page numbers and "figures as of"."""

import datetime
import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from audits.models import AuditTemplate, Judgement
from audits.tests.factories import CompletedAuditFactory
from dashboards.rollup import rollup_all
from improvement_plans.tests.factories import ActionFactory, ObjectiveFactory, PlanFactory

pytestmark = pytest.mark.django_db

URL = "/dashboards/board-pack.pdf"
JUNE = datetime.date(2025, 6, 10)


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture
def data(team, other_team):
    template = AuditTemplate.objects.get(slug="standard", is_current=True)
    wishes = template.criteria.get(code="wishes-feelings")
    for t, grades in ((team, [4, 3, 3, 2, 1, 3, 3]), (other_team, [2, 2, 3, 1, 2])):
        for g in grades:
            audit = CompletedAuditFactory(case__team=t, template=template, overall_grade=g, completed_on=JUNE)
            Judgement.objects.create(audit=audit, criterion=wishes, grade=max(1, g - 1))
    objective = ObjectiveFactory(plan=PlanFactory(title="Oversight plan"))
    ActionFactory(
        objective=objective, ref="1.1", how="Rewrite the supervision policy", due_on=datetime.date(2020, 1, 31)
    )
    ActionFactory(objective=objective, ref="1.2", how="Train every supervisor", due_on=datetime.date(2099, 1, 31))
    rollup_all()


def _pdf_text(response) -> str:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


def test_the_pack_holds_the_national_pages_figures(client, board_member, data):
    client.force_login(board_member)
    page = client.get(reverse("dashboards:national"), {"period": "2025-06"})
    text, pages = _pdf_text(client.get(URL, {"from": "2025-06", "to": "2025-06"}))
    flat = _flat(text)
    regions = page.context["tables"]["regions"]
    assert len(regions.rows) == 3  # two regions and national
    for row in regions.rows:
        for cell in row:
            assert _flat(cell.text) in flat, cell.text
    for row in page.context["tables"]["criteria"].rows:
        assert _flat(row[1].text) in flat
    assert "Oversight plan" in text
    assert _flat("1.1 Rewrite the supervision policy") in flat
    assert "Train every supervisor" not in text  # not overdue
    assert f"Page 1 of {pages}" in text
    assert "Figures as of" in text
    # The page links to the pack for its period.
    assert f"{URL}?from=2025-06&amp;to=2025-06" in page.content.decode()


def test_bad_months_get_a_clear_400_and_no_pdf(client, board_member):
    client.force_login(board_member)
    for params in ({"from": "2025-13", "to": "2025-06"}, {"from": "2025-06"}, {"from": "2025-07", "to": "2025-06"}):
        response = client.get(URL, params)
        assert response.status_code == 400
        assert "There is a problem" in response.content.decode()


def test_only_people_who_read_dashboards_and_plans(client, practitioner, auditor):
    for person in (practitioner, auditor):
        client.force_login(person)
        assert client.get(URL, {"from": "2025-06", "to": "2025-06"}).status_code == 403
    client.logout()
    assert client.get(URL, {"from": "2025-06", "to": "2025-06"}).status_code in (302, 401, 403)


def test_constant_queries(client, board_member, team, django_assert_max_num_queries, data):
    client.force_login(board_member)
    with django_assert_max_num_queries(20) as small:
        client.get(URL, {"from": "2025-01", "to": "2025-12"})
    for month in range(1, 13):
        CompletedAuditFactory(case__team=team, overall_grade=3, completed_on=datetime.date(2025, month, 3))
        ActionFactory(due_on=datetime.date(2021, month, 1))
    rollup_all()
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(URL, {"from": "2025-01", "to": "2025-12"})
