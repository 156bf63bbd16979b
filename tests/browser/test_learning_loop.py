"""The learning loop in the browser: an auditor's submitted audit puts a learning action on the
practitioner's work list; the practitioner marks it done with a note; the region's service manager
signs it off from their own work list. Every page passes axe-core."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from audits.models import AuditTemplate, Criterion, CriterionKind, Grade, LearningAction
from audits.services import JudgementInput, audit_save_section
from audits.template_data import STANDARD, criteria_rows
from audits.tests.factories import AuditFactory
from cases.tests.factories import CaseFactory
from organisation.roles import Role
from organisation.tests.factories import RegionFactory, TeamFactory, UserFactory

from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def answered_audit():
    """An audit with every question answered, waiting for the auditor's check and submit."""
    for role in Role.values:
        Group.objects.get_or_create(name=role)
    template = AuditTemplate.objects.filter(slug="standard", is_current=True).first()
    if template is None:
        template = AuditTemplate.objects.create(slug="standard", version=1, name=STANDARD["name"])
        Criterion.objects.bulk_create(Criterion(template=template, **row) for row in criteria_rows(STANDARD))
    team = TeamFactory(code="ne-loop", region=RegionFactory(code="ne-loop", name="North East loop"))
    people = {
        "practitioner": UserFactory(
            username="loop-fca", full_name="Pat Practitioner", team=team, roles=["practitioner"]
        ),
        "auditor": UserFactory(username="loop-auditor", full_name="Ada Auditor", team=team, roles=["auditor"]),
        "manager": UserFactory(username="loop-manager", full_name="Sam Manager", team=team, roles=["service_manager"]),
    }
    case = CaseFactory(reference="LOOP-1", team=team, practitioner=people["practitioner"], law_type="private")
    audit = AuditFactory(
        case=case, auditor=people["auditor"], template=template, due_on=timezone.localdate() + datetime.timedelta(7)
    )
    answers = [
        JudgementInput(criterion_id=c.pk, answer=True, evidence="Seen.")
        if c.kind == CriterionKind.YES_NO
        else JudgementInput(criterion_id=c.pk, grade=Grade.GOOD, evidence="Seen.")
        for c in template.criteria.filter(applies_to__in=["both", "private"])
    ]
    audit_save_section(audit=audit, by=people["auditor"], judgements=answers, expected_version=1)
    return audit, people


def test_learning_action_goes_from_audit_to_practitioner_to_manager_sign_off(page, live_server, answered_audit):
    audit, people = answered_audit
    due = timezone.localdate() + datetime.timedelta(days=5)

    # The auditor adds a learning action on the check page and submits the audit.
    sign_in(page, live_server, people["auditor"])
    page.goto(f"{live_server.url}/audits/{audit.pk}/check/")
    page.get_by_role("link", name="Add a learning action").click()
    page.get_by_label("What should the practitioner do?").fill("Use the direct-work toolkit.")
    page.get_by_label("Day").fill(str(due.day))
    page.get_by_label("Month").fill(str(due.month))
    page.get_by_label("Year").fill(str(due.year))
    page.get_by_role("button", name="Add learning action").click()
    page.wait_for_load_state()
    page.get_by_role("group", name="Overall grade").get_by_label("Good", exact=True).check()
    page.get_by_role("group", name="Did feedback from the family inform this audit?").get_by_label(
        "No", exact=True
    ).check()
    page.get_by_role("button", name="Submit audit").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Audit submitted"
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()

    # The practitioner finds it on their work list (home page), due soon, and marks it done.
    sign_in(page, live_server, people["practitioner"])
    work = page.get_by_test_id("work-list")
    item = work.get_by_role("link", name="Learning action from the audit of case LOOP-1")
    assert item.is_visible()
    assert "Due soon" in work.get_by_test_id("work-item").first.inner_text()
    nav_count = page.get_by_test_id("work-count")
    assert nav_count.inner_text().startswith("2")  # the action, and the audit to reflect on
    assert_accessible(page)
    item.click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Learning action")
    assert_accessible(page)
    page.get_by_role("button", name="Mark as done").click()  # no note: a GOV.UK error, nothing saved
    page.wait_for_load_state()
    assert "Say what you did and what changed in your practice." in page.get_by_role("alert").inner_text()
    assert_accessible(page)
    page.get_by_label("What did you do, and what changed?").fill("I used the toolkit in my last two visits.")
    page.get_by_role("button", name="Mark as done").click()
    page.wait_for_load_state()
    assert "Done, awaiting sign-off" in page.get_by_role("heading", level=1).inner_text()
    assert_accessible(page)
    # The account page: the practitioner chooses the daily summary only.
    page.get_by_role("link", name="Your account").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_label("Only the daily summary").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert "Your email choice is saved." in page.content()
    page.get_by_role("button", name="Sign out").click()

    # The manager signs it off from their work list.
    sign_in(page, live_server, people["manager"])
    page.get_by_role("link", name="My work").first.click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_role("link", name="Sign off the learning action from the audit of case LOOP-1").click()
    page.wait_for_load_state()
    assert "I used the toolkit in my last two visits." in page.get_by_test_id("done-note").inner_text()
    assert_accessible(page)
    page.get_by_role("button", name="Sign off this action").click()
    page.wait_for_load_state()
    assert "Signed off" in page.get_by_role("heading", level=1).inner_text()
    assert_accessible(page)
    action = LearningAction.objects.get(audit=audit)
    assert (action.status, action.signed_off_by_id) == ("signed_off", people["manager"].pk)
    people["practitioner"].refresh_from_db()
    assert people["practitioner"].email_preference == "digest"
