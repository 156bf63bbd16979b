"""Recording a moderation writes only its own fields from a fresh copy of the audit, and the
grade under moderation is hidden from the blind moderator on every page (issue 10.5)."""

import re

import pytest

from audits.models import Audit, Grade, Moderation
from audits.services import moderation_record
from audits.services.responses import audit_response_record
from audits.tests.factories import CompletedAuditFactory
from cases.models import Case
from cases.tests.factories import CaseFactory
from organisation.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def under_moderation(practitioner, auditor, team):
    case = CaseFactory(reference="MOD-1", team=team, practitioner=practitioner)
    audit = CompletedAuditFactory(case=case, auditor=auditor, overall_grade=Grade.OUTSTANDING)
    Case.objects.filter(pk=case.pk).update(last_audit_grade=Grade.OUTSTANDING, last_audited_on=audit.completed_on)
    moderator = UserFactory(username="mod", full_name="Mo Moderator", team=team, roles=["auditor"])
    moderation = Moderation.objects.create(audit=audit, moderator=moderator)
    return audit, moderator, moderation


def test_a_response_saved_while_the_moderator_grades_is_kept(under_moderation, practitioner):
    audit, moderator, _ = under_moderation
    # The moderator's page loaded the moderation and its audit before the practitioner wrote.
    stale = Moderation.objects.select_related("audit", "audit__case").get(audit=audit)
    audit_response_record(audit=Audit.objects.get(pk=audit.pk), by=practitioner, text="I agree; I will fix it.")

    moderation_record(moderation=stale, by=moderator, grade=Grade.MEETS_STANDARD, notes="Thinner than graded.")

    saved = Audit.objects.get(pk=audit.pk)
    assert saved.practitioner_response == "I agree; I will fix it."
    assert (saved.overall_grade, saved.final_grade, saved.moderated_grade) == (
        Grade.OUTSTANDING,
        Grade.MEETS_STANDARD,
        Grade.MEETS_STANDARD,
    )
    assert saved.version == audit.version + 1  # the moderation's (a response changes no version)
    assert saved.history.latest().history_user == moderator


def test_a_second_record_of_the_same_moderation_is_refused(under_moderation):
    from django.core.exceptions import ValidationError

    audit, moderator, moderation = under_moderation
    stale = Moderation.objects.get(pk=moderation.pk)
    moderation_record(moderation=moderation, by=moderator, grade=Grade.GOOD)
    with pytest.raises(ValidationError):
        moderation_record(moderation=stale, by=moderator, grade=Grade.REQUIRES_IMPROVEMENT)
    assert Audit.objects.get(pk=audit.pk).final_grade == Grade.GOOD


def _grade_cell(html: str) -> str:
    row = re.search(r"MOD-1.*?</tr>", html, re.S).group(0)
    return row


def test_the_case_list_hides_the_grade_from_the_moderator_only(client, under_moderation, auditor):
    audit, moderator, moderation = under_moderation
    client.force_login(moderator)
    row = _grade_cell(client.get("/cases/").content.decode())
    assert "Outstanding" not in row
    assert "Hidden while you moderate" in row
    client.force_login(auditor)  # another auditor of the region is not grading blind
    assert "Outstanding" in _grade_cell(client.get("/cases/").content.decode())


def test_sorting_by_grade_does_not_reveal_it(client, under_moderation, team):
    _, moderator, _ = under_moderation
    CaseFactory(reference="MOD-9", team=team, last_audit_grade=None)
    CaseFactory(reference="MOD-2", team=team, last_audit_grade=Grade.MEETS_STANDARD)
    CaseFactory(reference="MOD-3", team=team, last_audit_grade=Grade.GOOD)
    client.force_login(moderator)
    ascending = [c.reference for c in client.get("/cases/?sort=grade").context["page"].object_list]
    descending = [c.reference for c in client.get("/cases/?sort=-grade").context["page"].object_list]
    # The hidden grade sorts as no grade, beside the case never audited and, like it, by
    # reference (where empty grades go depends on the database), never as Outstanding.
    for order, graded in ((ascending, ["MOD-2", "MOD-3"]), (descending, ["MOD-3", "MOD-2"])):
        assert [r for r in order if r in graded] == graded
        assert order[order.index("MOD-1") + 1] == "MOD-9", order


def test_the_case_page_hides_it_until_the_moderation_is_recorded(client, under_moderation):
    audit, moderator, moderation = under_moderation
    client.force_login(moderator)
    page = client.get("/cases/MOD-1/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Outstanding" not in html
    assert "Hidden while you moderate" in html
    moderation_record(moderation=moderation, by=moderator, grade=Grade.GOOD)
    html = client.get("/cases/MOD-1/").content.decode()
    assert "Hidden while you moderate" not in html
    assert "Good" in html


def test_the_region_audit_list_hides_it_from_a_manager_who_moderates(client, under_moderation, team):
    audit, _, moderation = under_moderation
    manager = UserFactory(username="sm-mod", team=team, roles=["service_manager", "auditor"])
    Moderation.objects.filter(pk=moderation.pk).update(moderator=manager)
    client.force_login(manager)
    html = client.get("/audits/?section=region").content.decode()
    assert "Hidden while you moderate" in html
    assert "Outstanding" not in _grade_cell(html)  # (the grade filter's options name every grade)
