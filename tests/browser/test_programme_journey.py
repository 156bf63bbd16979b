"""A thematic programme end to end: a quality admin defines it, previews the draw and confirms; an
auditor grades one of its audits; the programme page shows progress and results. axe on each page."""

import datetime
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from audits.models import Audit, AuditStatus, CriterionKind, Programme
from audits.tests.factories import AuditTemplateFactory, CriterionFactory
from cases.tests.factories import CaseFactory
from organisation.roles import Role
from organisation.tests.factories import RegionFactory, TeamFactory, UserFactory

from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def caseload():
    for role in Role.values:  # transactional tests flush the groups the migrations made
        Group.objects.get_or_create(name=role)
    template = AuditTemplateFactory(slug="da-journey", name="Domestic abuse journey")
    CriterionFactory(
        template=template,
        code="risk",
        section="Risk",
        order=1,
        text="Risk of domestic abuse is analysed",
        limiting=True,
    )
    CriterionFactory(
        template=template, code="safety-plan", section="Risk", order=2, text="Was there a safety plan?",
        kind=CriterionKind.YES_NO,
    )  # fmt: skip
    team = TeamFactory(code="prog-team", region=RegionFactory(code="prog-north", name="Programme North"))
    practitioner = UserFactory(username="prog-fca", full_name="Pat Practitioner", team=team, roles=["practitioner"])
    auditor = UserFactory(username="prog-auditor", full_name="Ada Auditor", team=team, roles=["auditor"])
    admin = UserFactory(username="prog-admin", full_name="Quinn Admin", team=None, region=None, roles=["quality_admin"])
    received = timezone.localdate() - datetime.timedelta(days=60)
    for i in range(3):
        CaseFactory(
            reference=f"DA-{i}", team=team, practitioner=practitioner, domestic_abuse_alleged=True, received_on=received
        )
    CaseFactory(reference="NOT-DA", team=team, practitioner=practitioner, received_on=received)
    return admin, auditor


def _date(page, group_name, day):
    group = page.get_by_role("group", name=group_name)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def test_define_preview_confirm_grade_and_see_results(page, live_server, caseload):
    admin, auditor = caseload
    today = timezone.localdate()
    Path("test-results").mkdir(exist_ok=True)

    sign_in(page, live_server, admin)
    page.goto(f"{live_server.url}/programmes/")
    assert_accessible(page)
    page.get_by_role("link", name="Define a programme").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Define an audit programme"
    assert_accessible(page)

    page.get_by_label("Name", exact=True).fill("Domestic abuse thematic")
    page.get_by_label("Theme").fill("Domestic abuse")
    page.get_by_label("Domestic abuse journey").check()
    page.get_by_label("Programme North").check()
    _date(page, "Window starts", today - datetime.timedelta(days=365))
    _date(page, "Window ends", today)
    page.get_by_label("Number of case files").fill("2")
    page.get_by_label("Domestic abuse alleged").select_option("yes")
    _date(page, "Audits due by", today + datetime.timedelta(days=30))
    page.get_by_label("Seed").fill("7")
    page.get_by_role("button", name="Preview the draw").click()
    page.wait_for_load_state()

    assert page.get_by_role("heading", level=1).inner_text() == "Domestic abuse thematic"
    assert "2 case files drawn from 3 eligible" in page.get_by_test_id("draw-summary").inner_text()
    picks = page.get_by_test_id("picks").inner_text()
    assert "NOT-DA" not in picks and "Ada Auditor" in picks
    assert not Audit.objects.exists()
    assert_accessible(page)
    page.screenshot(path="test-results/programme-preview.png", full_page=True)

    page.get_by_role("button", name="Confirm and create 2 audits").click()
    page.wait_for_load_state()
    assert "2 audits created" in page.content()
    assert "0 of 2 audits done" in page.get_by_test_id("progress-summary").inner_text()
    assert_accessible(page)
    programme = Programme.objects.get()
    audit = Audit.objects.filter(programme=programme).order_by("pk").first()

    # The auditor grades one of the programme's audits; the limiting criterion caps the grade.
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    sign_in(page, live_server, auditor)
    page.goto(f"{live_server.url}/audits/{audit.pk}/sections/1/")
    page.get_by_role("group", name="Risk of domestic abuse is analysed").get_by_label(
        "Requires improvement", exact=True
    ).check()
    page.get_by_role("group", name="Was there a safety plan?").get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url(lambda url: url.endswith("/check/"))
    page.get_by_role("group", name="Overall grade").get_by_label("Requires improvement", exact=True).check()
    page.get_by_role("group", name="Did feedback from the family inform this audit?").get_by_label(
        "No", exact=True
    ).check()
    page.get_by_role("button", name="Submit audit").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Audit submitted"
    audit.refresh_from_db()
    assert audit.status == AuditStatus.COMPLETED

    # Back as the admin: progress and results of the programme.
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    sign_in(page, live_server, admin)
    page.goto(f"{live_server.url}/programmes/{programme.pk}/")
    assert "1 of 2 audits done" in page.get_by_test_id("progress-summary").inner_text()
    mix = page.get_by_test_id("grade-mix").inner_text()
    assert "Requires improvement" in mix and "1 of 1" in mix
    criteria = page.get_by_test_id("criteria").inner_text()
    assert "Was there a safety plan? (% yes)" in criteria
    assert_accessible(page)
    page.screenshot(path="test-results/programme-results.png", full_page=True)
