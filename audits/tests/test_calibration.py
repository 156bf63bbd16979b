"""Calibration sessions (blind grading, spread, agreement, agreed grade, yearly list) and external moderators."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audits.calibration_figures import fleiss_kappa_varying, pairwise_agreement, yearly_list
from audits.models import CalibrationSession, Grade
from audits.services.calibration import calibration_create
from audits.services.workflow import JudgementInput
from audits.stats import fleiss_kappa
from audits.tests.factories import AuditFactory
from organisation.tests.factories import UserFactory

from .grading_helpers import private_case, small_template

pytestmark = pytest.mark.django_db

HELD = datetime.date(2026, 3, 10)


@pytest.fixture
def people(team, other_team):
    """Four auditors, one from another region."""
    return [UserFactory(username=f"cal{i}", team=team, roles=["auditor"]) for i in range(3)] + [
        UserFactory(username="cal-sw", team=other_team, roles=["auditor"])
    ]


@pytest.fixture
def session(people, practitioner, quality_admin):
    template, criteria = small_template()
    case = private_case(practitioner)
    s = calibration_create(case=case, template=template, auditors=people, held_on=HELD, by=quality_admin)
    return s, criteria


def grade_post(criteria, *, needs, wishes, analysis, seen, overall):
    return {
        "version": "1",
        f"c{criteria['needs'].pk}-grade": str(needs),
        f"c{criteria['wishes'].pk}-grade": str(wishes),
        f"c{criteria['analysis'].pk}-grade": str(analysis),
        f"c{criteria['seen'].pk}-answer": seen,
        "overall_grade": str(overall),
    }


ANSWERS = [  # needs, wishes, analysis, seen, overall
    (3, 3, 4, "yes", 3),
    (3, 2, 4, "yes", 3),
    (2, 3, 4, "no", 2),
    (3, 3, 3, "yes", 3),
]


def test_sizes_and_self_grading_are_refused(people, practitioner, quality_admin, auditor):
    template, _ = small_template()
    case = private_case(practitioner)
    with pytest.raises(ValidationError):
        calibration_create(case=case, template=template, auditors=people[:2], held_on=HELD, by=quality_admin)
    many = [UserFactory(username=f"m{i}", roles=["auditor"]) for i in range(13)]
    with pytest.raises(ValidationError):
        calibration_create(case=case, template=template, auditors=many, held_on=HELD, by=quality_admin)
    practitioner.groups.add(*auditor.groups.all())
    with pytest.raises(ValidationError, match="allocated"):
        calibration_create(
            case=case, template=template, auditors=[*people[:2], practitioner], held_on=HELD, by=quality_admin
        )
    assert not CalibrationSession.objects.exists()


def test_blind_until_all_in_then_spread_and_agreement(client, session, people, quality_admin):
    s, criteria = session
    url = reverse("audits:calibration", args=[s.pk])
    for person, (needs, wishes, analysis, seen, overall) in zip(people[:3], ANSWERS[:3], strict=True):
        client.force_login(person)
        response = client.post(
            reverse("audits:calibration_grade", args=[s.pk]),
            grade_post(criteria, needs=needs, wishes=wishes, analysis=analysis, seen=seen, overall=overall),
        )
        assert response.status_code == 302
    client.force_login(people[0])
    page = client.get(url)
    assert page.context["figures"] is None  # one still to grade: nothing revealed
    assert "graded Good" not in page.content.decode()

    client.force_login(people[3])
    needs, wishes, analysis, seen, overall = ANSWERS[3]
    client.post(
        reverse("audits:calibration_grade", args=[s.pk]),
        grade_post(criteria, needs=needs, wishes=wishes, analysis=analysis, seen=seen, overall=overall),
    )
    figures = client.get(url).context["figures"]
    assert figures.submitted == 4
    # Overall 3, 3, 2, 3: pairs agreeing = 3*2 (the Goods) of 4*3 = 50%.
    assert figures.overall_agreement == pytest.approx(50.0)
    spread = {c.text: c for c in figures.criteria}
    assert dict(spread["Was the child seen?"].counts) == {"Yes": 3, "No": 1}
    assert dict(spread["The analysis is clear"].counts)["Outstanding"] == 3
    # Kappa over the three graded criteria (subjects), 4 raters, categories RI, MS, Good, Out:
    table = [[0, 1, 3, 0], [0, 1, 3, 0], [0, 0, 1, 3]]
    assert figures.kappa_criteria == pytest.approx(fleiss_kappa(table))


def test_facilitator_closes_early_and_records_the_agreed_grade(client, session, people, quality_admin):
    s, criteria = session
    client.force_login(people[0])
    client.post(
        reverse("audits:calibration_grade", args=[s.pk]),
        grade_post(criteria, needs=3, wishes=3, analysis=3, seen="yes", overall=3),
    )
    assert client.post(reverse("audits:calibration_close", args=[s.pk])).status_code == 403  # not the facilitator
    client.force_login(quality_admin)
    client.post(reverse("audits:calibration_close", args=[s.pk]))
    response = client.post(reverse("audits:calibration", args=[s.pk]), {"grade": "3", "notes": "Agreed: Good."})
    assert response.status_code == 302
    s.refresh_from_db()
    assert (s.agreed_grade, s.agreed_notes) == (Grade.GOOD, "Agreed: Good.")


def test_grading_obeys_the_limiting_ceiling_and_needs_every_answer(client, session, people):
    s, criteria = session
    client.force_login(people[0])
    url = reverse("audits:calibration_grade", args=[s.pk])
    response = client.post(url, grade_post(criteria, needs=1, wishes=4, analysis=4, seen="yes", overall=4))
    assert response.status_code == 200
    assert "at most Requires improvement" in response.content.decode()
    data = grade_post(criteria, needs=3, wishes=3, analysis=3, seen="yes", overall=3)
    del data[f"c{criteria['seen'].pk}-answer"]
    assert client.post(url, data).status_code == 200
    assert not s.participants.filter(submitted_at__isnull=False).exists()


def test_outsiders_get_404(client, session, other_manager, auditor):
    s, _ = session
    for person in (other_manager, auditor):
        client.force_login(person)
        assert client.get(reverse("audits:calibration", args=[s.pk])).status_code == 404
        assert client.get(reverse("audits:calibration_grade", args=[s.pk])).status_code == 404


def test_yearly_list_counts_sessions_against_four(session, people, quality_admin, region, other_region):
    s, _ = session
    template = s.template
    for day in (datetime.date(2026, 6, 1), datetime.date(2025, 12, 31)):
        calibration_create(case=s.case, template=template, auditors=people, held_on=day, by=quality_admin)
    rows = {r.region.code: r for r in yearly_list(2026, [region, other_region])}
    assert (rows[region.code].sessions, rows[region.code].on_track) == (2, False)
    assert rows[other_region.code].sessions == 0


def test_pairwise_agreement_and_varying_raters_kappa():
    assert pairwise_agreement([1, 1, 1]) == 100.0
    assert pairwise_agreement([1, 2]) == 0.0
    assert pairwise_agreement([3]) is None
    table = [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6]]
    assert fleiss_kappa_varying(table) == pytest.approx(fleiss_kappa(table))


# ---- external and volunteer moderators ----------------------------------------------------------------


@pytest.fixture
def moderator(db):
    return UserFactory(
        username="volunteer", full_name="Val Volunteer", team=None, region=None, roles=["external_moderator"]
    )


def test_external_moderator_opens_only_what_is_assigned(client, moderator, practitioner, auditor, session, people):
    template, _ = small_template(slug="mod")
    mine = AuditFactory(case=private_case(practitioner), auditor=moderator, template=template)
    other = AuditFactory(case=private_case(practitioner), auditor=auditor, template=template)
    s, _ = session
    client.force_login(moderator)
    assert client.get(reverse("audits:detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("audits:detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("audits:calibration", args=[s.pk])).status_code == 404
    assert client.get(reverse("audits:calibration_grade", args=[s.pk])).status_code == 404
    # Nothing else: no case list, no case page, no dashboards, no programmes.
    for url in ("/cases/", f"/cases/{mine.case.reference}/", "/dashboards/", "/programmes/"):
        assert client.get(url).status_code in (403, 404), url


def test_external_moderator_in_a_session_sees_it(client, moderator, session, people, practitioner, quality_admin):
    s, _ = session
    with_moderator = calibration_create(
        case=s.case, template=s.template, auditors=[*people[:2], moderator], held_on=HELD, by=quality_admin
    )
    client.force_login(moderator)
    assert client.get(reverse("audits:calibration", args=[with_moderator.pk])).status_code == 200
    assert client.get(reverse("audits:calibration", args=[s.pk])).status_code == 404


def test_moderator_grades_an_assigned_audit(client, moderator, practitioner):
    from audits.services import audit_save_section

    template, criteria = small_template(slug="mod2")
    audit = AuditFactory(case=private_case(practitioner), auditor=moderator, template=template)
    audit_save_section(
        audit=audit,
        by=moderator,
        judgements=[JudgementInput(criteria["needs"].pk, grade=3)],
        expected_version=audit.version,
    )
    client.force_login(moderator)
    assert client.get(reverse("audits:section", args=[audit.pk, 1])).status_code == 200


def test_session_pages_run_a_fixed_number_of_queries(client, session, people, django_assert_max_num_queries):
    s, criteria = session
    for person in people:
        client.force_login(person)
        client.post(
            reverse("audits:calibration_grade", args=[s.pk]),
            grade_post(criteria, needs=3, wishes=3, analysis=3, seen="yes", overall=3),
        )
    client.force_login(people[0])
    # session, user, groups, participants, judgements (+ messages/session bookkeeping)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("audits:calibration", args=[s.pk])).status_code == 200


def test_yearly_list_page_and_a_bad_year(client, session, quality_admin, django_assert_max_num_queries):
    client.force_login(quality_admin)
    with django_assert_max_num_queries(9):
        page = client.get(reverse("audits:calibrations") + "?year=2026")
    assert page.status_code == 200
    assert "1 of 4" in page.content.decode()
    bad = client.get(reverse("audits:calibrations") + "?year=20x6")
    assert bad.status_code == 400 and "Enter a year like 2026" in bad.content.decode()


def test_external_moderator_lists_only_their_own_audits(client, moderator, practitioner, auditor):
    template, _ = small_template(slug="mod3")
    mine = AuditFactory(case=private_case(practitioner), auditor=moderator, template=template)
    AuditFactory(case=private_case(practitioner), auditor=auditor, template=template)
    client.force_login(moderator)
    response = client.get(reverse("audits:list"))
    assert response.status_code == 200
    assert [a.pk for a in response.context["audits"]] == [mine.pk]
    assert [i["label"] for i in client.get("/").context["nav_items"]] == ["Home", "My work", "Audits"]
    work = client.get("/my-work/")
    assert work.status_code == 200 and f"/audits/{mine.pk}/" in work.content.decode()
