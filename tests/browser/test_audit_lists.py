"""The /audits/ lists in real headless Chromium, without JavaScript needed, checked with axe-core."""

import datetime

import pytest
from django.utils import timezone

from audits.models import Audit, LearningAction
from audits.tests.factories import AuditFactory, CompletedAuditFactory
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_practitioner_reads_audits_of_their_work_responds_and_marks_an_action_done(
    page,
    live_server,
    practitioner,
    team,
):
    audit = CompletedAuditFactory(case__reference="CASE-MINE", case__team=team, case__practitioner=practitioner)
    action = LearningAction.objects.create(
        audit=audit, description="Use a direct-work tool", due_on=timezone.localdate() + datetime.timedelta(days=7)
    )
    sign_in(page, live_server, practitioner)
    page.goto(f"{live_server.url}/audits/")
    assert page.get_by_role("heading", name="Audits of my work").is_visible()
    assert page.get_by_role("heading", name="Case CASE-MINE").is_visible()
    assert_accessible(page)

    page.get_by_label("Your reflective response").fill("I will use the toolkit with every child.")
    page.get_by_role("button", name="Save your response").click()
    page.wait_for_load_state()
    assert page.get_by_text("Your response to the audit of case CASE-MINE is saved.").is_visible()
    assert_accessible(page)

    # The action's own page: done with a note of what changed, for the manager to sign off.
    page.get_by_role("link", name="Mark as done").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_label("What did you do, and what changed?").fill("I used the tool in my next visit.")
    page.get_by_role("button", name="Mark as done").click()
    page.wait_for_load_state()
    assert page.get_by_text("Learning action marked done").is_visible()
    assert Audit.objects.get(pk=audit.pk).practitioner_response == "I will use the toolkit with every child."
    assert LearningAction.objects.get(pk=action.pk).status == "done"


def test_auditor_and_manager_lists_are_accessible(page, live_server, auditor, service_manager, team):
    AuditFactory(case__team=team, auditor=auditor, due_on=timezone.localdate() - datetime.timedelta(days=2))
    CompletedAuditFactory(case__team=team, auditor=auditor)
    sign_in(page, live_server, auditor)
    page.goto(f"{live_server.url}/audits/")
    assert page.get_by_text("Overdue").first.is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Done").click()
    page.wait_for_load_state()
    assert_accessible(page)

    page.context.clear_cookies()
    sign_in(page, live_server, service_manager)
    page.goto(f"{live_server.url}/audits/?section=region&status=lost")
    assert page.get_by_text("Choose a status from the list.").first.is_visible()
    assert_accessible(page)
    page.get_by_label("Status").select_option("completed")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()
    assert page.locator("[data-testid=audit-row]").count() == 1
    assert_accessible(page)
