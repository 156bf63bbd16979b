"""Journey 1: an auditor grades a whole audit in the browser, sees the limiting cap explained,
submits, and sees the confirmation; every page passes axe-core."""

import datetime
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from audits.models import Audit, AuditStatus, AuditTemplate, Criterion, Grade, Moderation
from audits.template_data import STANDARD, criteria_rows
from audits.tests.factories import AuditFactory
from cases.tests.factories import CaseFactory
from organisation.roles import Role
from organisation.tests.factories import RegionFactory, TeamFactory, UserFactory

from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def standard_audit():
    # Transactional tests flush the database between tests, taking the groups and the
    # shipped templates made by migrations with them: make sure both are here.
    for role in Role.values:
        Group.objects.get_or_create(name=role)
    template = AuditTemplate.objects.filter(slug="standard", is_current=True).first()
    if template is None:
        template = AuditTemplate.objects.create(slug="standard", version=1, name=STANDARD["name"])
        Criterion.objects.bulk_create(Criterion(template=template, **row) for row in criteria_rows(STANDARD))
    team = TeamFactory(code="ne-journey", region=RegionFactory(code="ne-journey", name="North East journey"))
    practitioner = UserFactory(username="journey-fca", full_name="Pat Practitioner", team=team, roles=["practitioner"])
    auditor = UserFactory(username="journey-auditor", full_name="Ada Auditor", team=team, roles=["auditor"])
    case = CaseFactory(reference="JOURNEY-1", team=team, practitioner=practitioner, law_type="private")
    audit = AuditFactory(
        case=case, auditor=auditor, template=template, due_on=timezone.localdate() + datetime.timedelta(days=7)
    )
    return audit, auditor


def test_auditor_grades_a_whole_audit_sees_the_cap_and_submits(page, live_server, standard_audit):
    audit, auditor = standard_audit
    criteria = [c for c in audit.template.criteria.order_by("order") if c.applies_to in ("both", "private")]
    limiting = next(c for c in criteria if c.limiting)

    sign_in(page, live_server, auditor)
    page.goto(f"{live_server.url}/audits/{audit.pk}/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Audit of JOURNEY-1")
    assert_accessible(page)

    sections = list(dict.fromkeys(c.section for c in criteria))
    page.get_by_role("link", name=f"1. {sections[0]}").click()
    for number, title in enumerate(sections, start=1):
        assert page.get_by_role("heading", level=1).inner_text() == title
        assert_accessible(page)
        for criterion in (c for c in criteria if c.section == title):
            group = page.get_by_role("group", name=criterion.text)
            if criterion.kind == "yes_no":
                group.get_by_label("Yes", exact=True).check()
            elif criterion.pk == limiting.pk:
                group.get_by_label("Requires improvement", exact=True).check()
            else:
                group.get_by_label("Good", exact=True).check()
            page.get_by_label(f"Evidence for “{criterion.text}”").fill(f"Evidence seen for {criterion.code}.")
        if number == 1:
            Path("test-results").mkdir(exist_ok=True)
            page.screenshot(path="test-results/grading-section.png", full_page=True)
        # The click may wait for an autosave still in flight: wait for the next page itself.
        before = page.url
        page.get_by_role("button", name="Save and continue").click()
        page.wait_for_url(lambda url, before=before: url != before)
        page.wait_for_load_state()

    # Check your answers: the suggestion is capped, and the page names the limiting criterion.
    assert page.get_by_role("heading", level=1).inner_text() == "Check your answers before submitting the audit"
    suggestion = page.get_by_test_id("suggestion")
    assert "Suggested overall grade: Requires improvement" in suggestion.inner_text()
    assert "Your grades would suggest Good" in suggestion.inner_text()
    assert limiting.text in suggestion.inner_text()
    assert_accessible(page)
    page.screenshot(path="test-results/grading-check.png", full_page=True)

    # A learning action on the way (GOV.UK date input).
    page.get_by_role("link", name="Add a learning action").click()
    assert_accessible(page)
    due = timezone.localdate() + datetime.timedelta(days=30)
    page.get_by_label("What should the practitioner do?").fill("Use the identity toolkit in direct work.")
    page.get_by_label("Day").fill(str(due.day))
    page.get_by_label("Month").fill(str(due.month))
    page.get_by_label("Year").fill(str(due.year))
    page.get_by_role("button", name="Add learning action").click()
    page.wait_for_load_state()
    assert "Use the identity toolkit in direct work." in page.content()
    assert_accessible(page)

    page.get_by_role("group", name="Overall grade").get_by_label("Requires improvement", exact=True).check()
    page.get_by_role("group", name="Did feedback from the family inform this audit?").get_by_label(
        "Yes", exact=True
    ).check()
    page.get_by_role("button", name="Submit audit").click()
    page.wait_for_load_state()

    assert page.get_by_role("heading", level=1).inner_text() == "Audit submitted"
    assert "Requires improvement" in page.locator(".govuk-panel__body").inner_text()
    assert_accessible(page)
    Path("test-results").mkdir(exist_ok=True)
    page.screenshot(path="test-results/grading-confirmation.png", full_page=True)

    audit.refresh_from_db()
    assert (audit.status, audit.final_grade, audit.suggested_grade) == (
        AuditStatus.COMPLETED,
        Grade.REQUIRES_IMPROVEMENT,
        Grade.REQUIRES_IMPROVEMENT,
    )
    assert audit.judgements.count() == len(criteria)
    assert Audit.objects.get(pk=audit.pk).learning_actions.count() == 1


def test_manager_creates_an_audit_and_reads_its_history(page, live_server, standard_audit):
    audit, auditor = standard_audit
    manager = UserFactory(
        username="journey-manager", full_name="Sam Manager", team=auditor.team, roles=["service_manager"]
    )
    case = CaseFactory(reference="JOURNEY-2", team=auditor.team, practitioner=audit.case.practitioner)

    sign_in(page, live_server, manager)
    page.goto(f"{live_server.url}/audits/new/?case=NOPE")
    assert "There is no case “NOPE”" in page.get_by_role("alert").inner_text()
    assert_accessible(page)

    page.get_by_label("Case reference").fill(case.reference)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Create an audit of JOURNEY-2"
    assert_accessible(page)

    page.get_by_label("Auditor").select_option(label="Ada Auditor")
    page.get_by_role("group", name="Audit template").get_by_label(STANDARD["name"]).check()
    due = timezone.localdate() + datetime.timedelta(days=21)
    page.get_by_label("Day").fill(str(due.day))
    page.get_by_label("Month").fill(str(due.month))
    page.get_by_label("Year").fill(str(due.year))
    page.get_by_role("button", name="Create audit").click()
    page.wait_for_load_state()

    assert page.get_by_role("heading", level=1).inner_text().startswith("Audit of JOURNEY-2")
    assert "Audit of JOURNEY-2 created for Ada Auditor." in page.content()
    history = page.get_by_test_id("history")
    assert "Sam Manager" in history.inner_text()
    assert_accessible(page)
    Path("test-results").mkdir(exist_ok=True)
    page.screenshot(path="test-results/audit-detail-manager.png", full_page=True)


def test_moderator_grades_a_completed_audit_blind(page, live_server, standard_audit):
    audit, auditor = standard_audit
    Audit.objects.filter(pk=audit.pk).update(
        status=AuditStatus.COMPLETED,
        overall_grade=Grade.GOOD,
        final_grade=Grade.GOOD,
        completed_on=timezone.localdate(),
        completed_at=timezone.now(),
        region=audit.case.region,
        team=audit.case.team,
        practitioner=audit.case.practitioner,
    )
    moderator = UserFactory(username="journey-mod", full_name="Mo Moderator", team=auditor.team, roles=["auditor"])
    Moderation.objects.create(audit=audit, moderator=moderator)

    sign_in(page, live_server, moderator)
    page.goto(f"{live_server.url}/audits/{audit.pk}/")
    assert_accessible(page)
    page.get_by_role("link", name="Moderate this audit").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Moderate the audit of JOURNEY-1"
    assert_accessible(page)
    page.get_by_role("button", name="Record moderation").click()  # nothing chosen: an error, not a crash
    assert "Select your grade" in page.get_by_role("alert").inner_text()
    assert_accessible(page)
    # Blind, question by question, then overall.
    for criterion in audit.template.criteria.filter(applies_to__in=["both", audit.case.law_type]):
        group = page.get_by_role("group", name=criterion.text)
        group.get_by_label("Yes" if criterion.kind == "yes_no" else "Good", exact=True).check()
    page.get_by_role("group", name="Your overall grade for this work").get_by_label(
        "Meets standard", exact=True
    ).check()
    page.get_by_role("button", name="Record moderation").click()
    page.wait_for_load_state()
    assert "Meets standard is now the final grade" in page.content()
    # Now both gradings side by side.
    assert page.get_by_test_id("moderation-comparison").is_visible()
    assert_accessible(page)
    assert Audit.objects.get(pk=audit.pk).final_grade == Grade.MEETS_STANDARD
