"""Autosave in a real browser: a grade picked or evidence typed is kept as a draft without pressing
a button, survives a reload, and never trips the page's own save into a conflict; axe-core checks
the page once the status line has spoken."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from audits.models import Audit, Grade, Judgement
from audits.services import JudgementInput, audit_save_section
from audits.tests.grading_helpers import audit_of, private_case, small_template
from organisation.roles import Role
from organisation.tests.factories import RegionFactory, TeamFactory, UserFactory

from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def draft_audit():
    # Transactional tests flush the database between tests, taking the role groups with them.
    for role in Role.values:
        Group.objects.get_or_create(name=role)
    team = TeamFactory(code="ne-autosave", region=RegionFactory(code="ne-autosave", name="North East autosave"))
    practitioner = UserFactory(username="autosave-fca", full_name="Pat Practitioner", team=team, roles=["practitioner"])
    auditor = UserFactory(username="autosave-auditor", full_name="Ada Auditor", team=team, roles=["auditor"])
    template, criteria = small_template(slug="autosave")
    audit = audit_of(private_case(practitioner, reference="AUTOSAVE-1"), auditor, template)
    return audit, auditor, criteria


def open_section(page, live_server, audit, auditor):
    sign_in(page, live_server, auditor)
    page.goto(f"{live_server.url}/audits/{audit.pk}/sections/1/")
    assert page.get_by_role("heading", level=1).inner_text() == "The child"


def test_a_grade_picked_is_saved_as_a_draft_and_is_there_after_a_reload(page, live_server, draft_audit):
    audit, auditor, criteria = draft_audit
    needs, wishes = criteria["needs"], criteria["wishes"]
    open_section(page, live_server, audit, auditor)
    status = page.get_by_role("status")

    page.get_by_role("group", name=needs.text).get_by_label("Good", exact=True).check()
    expect(status).to_contain_text("Draft saved at")
    assert_accessible(page)
    Path("test-results").mkdir(exist_ok=True)
    page.screenshot(path="test-results/grading-autosave.png", full_page=True)

    # A pause in typing saves the evidence too (the whole form is sent, with the version the
    # last autosave returned, so it is not refused as a conflict).
    with page.expect_response(lambda r: r.url.endswith("/autosave/") and r.status == 200):
        page.get_by_label(f"Evidence for “{wishes.text}”").fill("Spoke to the child at school.")
    assert page.locator('input[name="version"]').input_value() == "3"

    page.reload()
    assert page.get_by_role("group", name=needs.text).get_by_label("Good", exact=True).is_checked()
    assert page.get_by_label(f"Evidence for “{wishes.text}”").input_value() == "Spoke to the child at school."
    assert Judgement.objects.get(audit=audit, criterion=needs).grade == Grade.GOOD

    # The page's own buttons carry on from the autosaved version.
    page.get_by_role("group", name=wishes.text).get_by_label("Outstanding", exact=True).check()
    expect(status).to_contain_text("Draft saved at")
    page.get_by_role("group", name=criteria["seen"].text).get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url(f"**/audits/{audit.pk}/sections/2/")
    assert page.get_by_role("heading", level=1).inner_text() == "Analysis"
    assert Judgement.objects.filter(audit=audit).count() == 3


def test_a_button_pressed_while_an_autosave_is_in_flight_waits_for_it(page, live_server, draft_audit):
    audit, auditor, criteria = draft_audit
    open_section(page, live_server, audit, auditor)
    held = []  # the autosave request, kept from the server until the button has been pressed
    page.route("**/autosave/", lambda route: held.append(route))
    page.get_by_role("group", name=criteria["needs"].text).get_by_label("Outstanding", exact=True).check()
    page.wait_for_timeout(1500)  # the autosave starts a second after the change
    assert len(held) == 1
    page.get_by_role("button", name="Save and come back later").click()
    held[0].continue_()
    # The button's save waited for the autosave's answer and sent the version it returned.
    page.wait_for_url(f"**/audits/{audit.pk}/")
    assert "Your answers have been saved" in page.content()
    assert Judgement.objects.get(audit=audit).grade == Grade.OUTSTANDING
    assert Audit.objects.get(pk=audit.pk).version == 3  # the autosave, then the button's save


def test_an_autosave_after_someone_elses_save_says_so_and_overwrites_nothing(page, live_server, draft_audit):
    audit, auditor, criteria = draft_audit
    needs = criteria["needs"]
    open_section(page, live_server, audit, auditor)
    # Meanwhile, the same auditor saves in another tab.
    audit_save_section(
        audit=audit,
        by=auditor,
        judgements=[JudgementInput(criterion_id=needs.pk, grade=Grade.GOOD)],
        expected_version=1,
    )

    page.get_by_role("group", name=needs.text).get_by_label("Outstanding", exact=True).check()
    status = page.get_by_role("status")
    expect(status).to_contain_text("You saved this audit in another tab or window")
    expect(status).to_contain_text("nothing was overwritten")
    assert_accessible(page)
    assert Judgement.objects.get(audit=audit, criterion=needs).grade == Grade.GOOD

    status.get_by_role("link", name="Reload this page to see the latest answers").click()
    page.wait_for_load_state()
    assert page.get_by_role("group", name=needs.text).get_by_label("Good", exact=True).is_checked()


def test_an_autosave_after_the_session_ended_says_so_instead_of_showing_the_sign_in_page(
    page, live_server, draft_audit
):
    audit, auditor, criteria = draft_audit
    open_section(page, live_server, audit, auditor)
    page.context.clear_cookies()  # signed out elsewhere, or the session expired
    page.get_by_role("group", name=criteria["needs"].text).get_by_label("Good", exact=True).check()
    status = page.get_by_role("status")
    expect(status).to_contain_text("You have been signed out, so your latest changes were not saved")
    assert page.get_by_role("heading", level=1).inner_text() == "The child"
    assert not Judgement.objects.exists()
