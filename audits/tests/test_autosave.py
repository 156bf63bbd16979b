"""Autosave of a grading section (htmx): a draft saved through the version counter, answered with a status line."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audits.models import Audit, AuditStatus, Grade, Judgement
from audits.tests.factories import JudgementFactory
from organisation.tests.factories import UserFactory

from .grading_helpers import audit_of, private_case, small_template, wide_template

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def graded(practitioner, auditor):
    template, criteria = small_template()
    audit = audit_of(private_case(practitioner), auditor, template)
    return audit, criteria


def autosave_url(audit, n=1):
    return reverse("audits:section_autosave", args=[audit.pk, n])


def section_url(audit, n=1):
    return reverse("audits:section", args=[audit.pk, n])


def autosave(client, audit, criteria, *, version=1, headers=HTMX, **answers):
    """Post section 1 as the page's form would: every field, most of them still empty."""
    data = {
        "version": str(version),
        f"c{criteria['needs'].pk}-grade": "",
        f"c{criteria['needs'].pk}-evidence": "",
        f"c{criteria['wishes'].pk}-grade": "",
        f"c{criteria['wishes'].pk}-evidence": "",
        f"c{criteria['seen'].pk}-answer": "",
        f"c{criteria['seen'].pk}-evidence": "",
    }
    data.update(answers)
    return client.post(autosave_url(audit), data, headers=headers)


def oob_version(html):
    match = re.search(r'<input type="hidden" name="version" value="(\d+)" id="id_version" hx-swap-oob="true">', html)
    return int(match.group(1)) if match else None


# ---- the page ------------------------------------------------------------------------------


def test_section_page_autosaves_its_form_into_a_polite_status_region(client, graded, auditor):
    audit, _ = graded
    client.force_login(auditor)
    page = client.get(section_url(audit)).content.decode()
    assert f'hx-post="{autosave_url(audit)}"' in page
    assert 'hx-target="#autosave-status"' in page
    assert '<div id="autosave-status" class="govuk-body-s" role="status" aria-live="polite"></div>' in page
    # Without JavaScript the page is as before: a form posting to itself with its two buttons.
    assert "Save and continue" in page and "Save and come back later" in page
    assert '<form method="post" novalidate' in page and "action=" not in page.split("<form method")[2][:400]


# ---- saving a draft -------------------------------------------------------------------------


def test_autosave_keeps_a_partial_draft_without_required_errors(client, graded, auditor):
    audit, criteria = graded
    client.force_login(auditor)
    response = autosave(client, audit, criteria, **{f"c{criteria['needs'].pk}-grade": "3"})
    assert response.status_code == 200
    judgement = Judgement.objects.get(audit=audit)
    assert (judgement.criterion_id, judgement.grade) == (criteria["needs"].pk, Grade.GOOD)
    audit.refresh_from_db()
    assert (audit.status, audit.version, audit.last_saved_by) == (AuditStatus.IN_PROGRESS, 2, auditor)


def test_autosave_answers_the_time_saved_and_the_new_version(client, graded, auditor):
    audit, criteria = graded
    client.force_login(auditor)
    response = autosave(client, audit, criteria, **{f"c{criteria['needs'].pk}-grade": "4"})
    html = response.content.decode()
    saved_at = timezone.localtime(Audit.objects.get(pk=audit.pk).last_saved_at)
    assert f"Draft saved at {saved_at:%H:%M}" in html
    assert oob_version(html) == 2
    assert "<html" not in html  # a fragment, not a page


def test_autosaves_in_a_row_and_then_the_buttons_use_the_returned_version(client, graded, auditor):
    audit, criteria = graded
    client.force_login(auditor)
    needs, seen = criteria["needs"].pk, criteria["seen"].pk
    first = autosave(client, audit, criteria, **{f"c{needs}-grade": "2"})
    second = autosave(
        client,
        audit,
        criteria,
        version=oob_version(first.content.decode()),
        **{f"c{needs}-grade": "2", f"c{seen}-answer": "no"},
    )
    assert second.status_code == 200 and oob_version(second.content.decode()) == 3
    later = client.post(
        section_url(audit),
        {"version": "3", "action": "later", f"c{needs}-grade": "2", f"c{seen}-answer": "no"},
    )
    assert later.status_code == 302  # not refused as a conflict with the user's own autosave
    assert Audit.objects.get(pk=audit.pk).version == 4
    assert Judgement.objects.get(criterion_id=seen).answer is False


def test_evidence_typed_so_far_is_saved(client, graded, auditor):
    audit, criteria = graded
    client.force_login(auditor)
    autosave(client, audit, criteria, **{f"c{criteria['wishes'].pk}-evidence": "Spoke to the child at school"})
    assert Judgement.objects.get(criterion=criteria["wishes"]).evidence == "Spoke to the child at school"
    page = client.get(section_url(audit)).content.decode()  # the draft survives a closed tab
    assert "Spoke to the child at school" in page


# ---- conflicts and bad input ----------------------------------------------------------------


def test_autosave_after_a_newer_save_is_refused_with_a_link_to_reload(client, graded, auditor):
    audit, criteria = graded
    client.force_login(auditor)
    needs = criteria["needs"].pk
    autosave(client, audit, criteria, **{f"c{needs}-grade": "4"})  # another tab: version 1 -> 2
    response = autosave(client, audit, criteria, version=1, **{f"c{needs}-grade": "1"})
    html = response.content.decode()
    assert response.status_code == 409
    # The heading and the body agree: the same person saved in another tab.
    assert "You saved this audit in another tab or window.</strong>" in html
    assert "Someone else" not in html
    assert "You saved this audit in another tab or window at" in html
    assert f'<a class="govuk-link" href="{section_url(audit)}">Reload this page to see the latest answers</a>' in html
    assert oob_version(html) is None  # the page keeps its old version: every later save is refused too
    assert Judgement.objects.get(criterion_id=needs).grade == Grade.OUTSTANDING  # nothing overwritten
    assert Audit.objects.get(pk=audit.pk).version == 2


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("needs-evidence", "x" * 5001, "Evidence must be 5000 characters or fewer"),
        ("needs-grade", "7", "Select one of the four grades for “The child&#x27;s unique needs are analysed”"),
        ("seen-answer", "maybe", "Select yes or no for “Was the child seen?”"),
        ("version", "abc", "This page is out of date. Reload it and try again."),
        ("version", "", "This page is out of date. Reload it and try again."),
    ],
)
def test_bad_input_gets_a_message_in_the_status_line_and_saves_nothing(client, graded, auditor, field, value, message):
    audit, criteria = graded
    client.force_login(auditor)
    if field == "version":
        response = autosave(client, audit, criteria, version=value)
    else:
        code, part = field.split("-")
        response = autosave(client, audit, criteria, **{f"c{criteria[code].pk}-{part}": value})
    html = response.content.decode()
    assert response.status_code == 422
    assert "Your latest changes have not been saved" in html
    assert message in html
    assert oob_version(html) is None
    assert not Judgement.objects.exists()
    assert Audit.objects.get(pk=audit.pk).version == 1


@pytest.mark.parametrize("status", [AuditStatus.COMPLETED, AuditStatus.CANCELLED])
def test_autosave_of_a_closed_audit_says_it_can_no_longer_change(client, graded, auditor, status):
    audit, criteria = graded
    closed = {"status": status}
    if status == AuditStatus.COMPLETED:  # a completed audit has its grade, date and place
        closed.update(
            overall_grade=Grade.GOOD,
            final_grade=Grade.GOOD,
            completed_on=timezone.localdate(),
            completed_at=timezone.now(),
            region=audit.case.region,
            team=audit.case.team,
            practitioner=audit.case.practitioner,
        )
    Audit.objects.filter(pk=audit.pk).update(**closed)
    client.force_login(auditor)
    response = autosave(client, audit, criteria, **{f"c{criteria['needs'].pk}-grade": "4"})
    assert response.status_code == 409
    assert "its answers can no longer change" in response.content.decode()
    assert not Judgement.objects.exists()


def test_unknown_section_is_404(client, graded, auditor):
    audit, criteria = graded
    client.force_login(auditor)
    assert client.post(autosave_url(audit, 3), {"version": "1"}, headers=HTMX).status_code == 404


# ---- who may, and how ------------------------------------------------------------------------


def test_anonymous_autosave_is_sent_to_sign_in_and_saves_nothing(client, graded):
    audit, criteria = graded
    response = autosave(client, audit, criteria, **{f"c{criteria['needs'].pk}-grade": "4"})
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert not Judgement.objects.exists()


def test_only_the_allocated_auditor_may_autosave(client, graded, team, practitioner, other_manager):
    audit, criteria = graded
    other_auditor = UserFactory(username="auditor2", team=team, roles=["auditor"])
    for person, status in [(other_auditor, 403), (practitioner, 403), (other_manager, 404)]:
        client.force_login(person)
        assert autosave(client, audit, criteria, **{f"c{criteria['needs'].pk}-grade": "4"}).status_code == status
    assert not Judgement.objects.exists()
    assert Audit.objects.get(pk=audit.pk).version == 1


def test_autosave_is_post_only(client, graded, auditor):
    audit, _ = graded
    client.force_login(auditor)
    assert client.get(autosave_url(audit), headers=HTMX).status_code == 405


def test_a_post_without_the_htmx_header_is_refused(client, graded, auditor):
    audit, criteria = graded
    client.force_login(auditor)
    response = autosave(client, audit, criteria, headers={}, **{f"c{criteria['needs'].pk}-grade": "4"})
    assert response.status_code == 400
    assert not Judgement.objects.exists()


def test_autosave_needs_the_forms_csrf_token(graded, auditor):
    audit, criteria = graded
    client = Client(enforce_csrf_checks=True)
    client.force_login(auditor)
    page = client.get(section_url(audit)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    grade = {f"c{criteria['needs'].pk}-grade": "4"}
    assert autosave(client, audit, criteria, **grade).status_code == 403
    assert not Judgement.objects.exists()
    assert autosave(client, audit, criteria, csrfmiddlewaretoken=token, **grade).status_code == 200
    assert Judgement.objects.get(audit=audit).grade == Grade.OUTSTANDING


# ---- queries ---------------------------------------------------------------------------------


def test_autosave_has_constant_queries_as_criteria_grow(client, practitioner, auditor, django_assert_max_num_queries):
    client.force_login(auditor)
    counts = []
    for n in (5, 25):
        audit = audit_of(private_case(practitioner), auditor, wide_template(n))
        criteria = list(audit.template.criteria.order_by("order"))
        for criterion in criteria:
            JudgementFactory(audit=audit, criterion=criterion, grade=Grade.GOOD, evidence="")
        # The whole section is posted, as the page does; one grade changed since the last save.
        data = {"version": str(audit.version)}
        for criterion in criteria:
            data[f"c{criterion.pk}-grade"] = str(Grade.GOOD)
            data[f"c{criterion.pk}-evidence"] = ""
        data[f"c{criteria[0].pk}-grade"] = str(Grade.OUTSTANDING)
        # Request (6): session, user, the user's groups, the audit with its case, people and
        # template; the sheet's criteria and judgements. Service (19, in a savepoint): the version
        # claim (UPDATE), the section's criteria and their judgements; the changed judgement's
        # full_clean (3: audit, criterion, unique pair), UPDATE and history row; the audit's
        # full_clean (4 foreign keys and a check constraint in its own savepoint), UPDATE and
        # history row. Unchanged answers cost nothing, so this does not grow with the section.
        with django_assert_max_num_queries(25) as captured:
            response = client.post(autosave_url(audit), data, headers=HTMX)
        assert response.status_code == 200, response.content.decode()
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]
