"""Thematic (programme) audits stay out of the routine figures; `template=` and `programme=` bring them in."""

import datetime

import pytest

from audits.models import Programme
from audits.tests.factories import AuditTemplateFactory, CompletedAuditFactory
from dashboards.models import KpiSnapshot
from dashboards.rollup import rollup_all, rollup_slice

pytestmark = pytest.mark.django_db

URL = "/api/v1/kpis/?from=2025-06&to=2025-06"
JUNE = datetime.date(2025, 6, 10)


@pytest.fixture
def mixed(team, other_team):
    """North: routine standard audits graded 3, 2, 1; routine domestic-abuse audit graded 4;
    a domestic-abuse programme's audits graded 4, 4, 1 (north) and 3 (south)."""
    standard = AuditTemplateFactory(slug="standard", name="Standard")
    da = AuditTemplateFactory(slug="domestic-abuse", name="Domestic abuse")
    programme = Programme.objects.create(
        name="DA thematic 2025",
        theme="Domestic abuse",
        template=da,
        size=4,
        window_start=datetime.date(2025, 1, 1),
        window_end=datetime.date(2025, 6, 30),
        due_on=datetime.date(2025, 7, 31),
    )
    for grade in (3, 2, 1):
        CompletedAuditFactory(case__team=team, template=standard, overall_grade=grade, completed_on=JUNE)
    CompletedAuditFactory(case__team=team, template=da, overall_grade=4, completed_on=JUNE, family_feedback=True)
    for grade, where in ((4, team), (4, team), (1, team), (3, other_team)):
        CompletedAuditFactory(
            case__team=where, template=da, programme=programme, overall_grade=grade, completed_on=JUNE
        )
    rollup_all()
    return programme


def _national(client, user, query=""):
    client.force_login(user)
    response = client.get(URL + query)
    assert response.status_code == 200, response.content
    return response.json()["national"]


def test_headline_figures_count_routine_audits_only(client, mixed, assistant_director):
    national = _national(client, assistant_director)
    # Routine: 3, 2, 1 (standard) and 4 (domestic-abuse, no programme).
    assert (national["audits"], national["outstanding"], national["good"]) == (4, 1, 1)
    assert (national["meets_standard"], national["requires_improvement"]) == (1, 1)
    assert national["good_or_better_pct"] == pytest.approx(2 / 4 * 100)
    assert sum(row.audits for row in KpiSnapshot.objects.all()) == 4


def test_template_filter_counts_every_audit_on_that_template(client, mixed, assistant_director):
    national = _national(client, assistant_director, "&template=domestic-abuse")
    # 4 (routine) + 4, 4, 1, 3 (programme): five audits, four good or better, one with family feedback.
    assert national["audits"] == 5
    assert (national["outstanding"], national["good"], national["requires_improvement"]) == (3, 1, 1)
    assert national["good_or_better_pct"] == pytest.approx(4 / 5 * 100)
    assert national["family_feedback_pct"] == pytest.approx(1 / 5 * 100)


def test_template_filter_on_the_routine_template(client, mixed, assistant_director):
    assert _national(client, assistant_director, "&template=standard")["audits"] == 3


def test_programme_filter_counts_that_programme_only_by_region(client, mixed, assistant_director, region):
    client.force_login(assistant_director)
    body = client.get(URL + f"&programme={mixed.pk}").json()
    assert body["national"]["audits"] == 4
    north = next(r for r in body["regions"] if r["code"] == region.code)
    assert (north["audits"], north["outstanding"], north["requires_improvement"]) == (3, 2, 1)


@pytest.mark.parametrize(
    ("query", "message"),
    [("&template=nope", "no audit template"), ("&programme=999999", "no audit programme"), ("&programme=x", "")],
)
def test_unknown_template_or_programme_is_a_400(client, mixed, assistant_director, query, message):
    client.force_login(assistant_director)
    response = client.get(URL + query)
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_slice_rollup_keeps_the_routine_figures_routine(client, mixed, assistant_director, team):
    rollup_slice(region_id=team.region_id, month=JUNE)
    assert _national(client, assistant_director)["audits"] == 4
    assert _national(client, assistant_director, "&template=domestic-abuse")["audits"] == 5


def test_national_page_shows_the_selection(client, mixed, assistant_director, django_assert_max_num_queries):
    client.force_login(assistant_director)
    # The national page's queries (17, theme counts included), the programme looked up, and the
    # regions and the trend read again from the template snapshots: the same whatever the data.
    with django_assert_max_num_queries(20):
        page = client.get(f"/dashboards/?period=2025-06&programme={mixed.pk}")
    assert page.status_code == 200
    assert "audits of the programme “DA thematic 2025”" in page.content.decode()
    bad = client.get("/dashboards/?period=2025-06&template=nope")
    assert bad.status_code == 400
    assert "no audit template" in bad.content.decode()


def test_calibration_grades_never_reach_the_dashboards(team, practitioner, quality_admin):
    from audits.models import Audit
    from audits.services.calibration import calibration_create, calibration_grade
    from audits.services.workflow import JudgementInput
    from audits.tests.factories import CriterionFactory
    from cases.tests.factories import CaseFactory
    from organisation.tests.factories import UserFactory

    template = AuditTemplateFactory(slug="calibration-only", name="Calibration")
    criterion = CriterionFactory(template=template, code="only")
    case = CaseFactory(team=team, practitioner=practitioner)
    people = [UserFactory(username=f"cal{i}", team=team, roles=["auditor"]) for i in range(3)]
    session = calibration_create(case=case, template=template, auditors=people, held_on=JUNE, by=quality_admin)
    for person in people:
        calibration_grade(
            session=session, by=person, judgements=[JudgementInput(criterion.pk, grade=4)], overall_grade=4
        )
    rollup_all()
    assert not Audit.objects.exists()
    assert not KpiSnapshot.objects.filter(audits__gt=0).exists()
    from dashboards.models import TemplateSnapshot

    assert not TemplateSnapshot.objects.exists()
