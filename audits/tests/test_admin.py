"""The admin: a self-audit is refused, and saving a template in use makes a new version."""

import datetime

import pytest
from django.urls import reverse

from audits.models import Audit, AuditTemplate, Judgement, Moderation
from audits.tests.factories import CompletedAuditFactory
from organisation.tests.factories import UserFactory

from .grading_helpers import audit_of, private_case, small_template

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_admin_refuses_a_self_audit(admin_client, practitioner):
    template, _ = small_template()
    case = private_case(practitioner)
    response = admin_client.post(
        reverse("admin:audits_audit_add"),
        {
            "case": case.pk,
            "template": template.pk,
            "auditor": practitioner.pk,
            "due_on": "2030-01-01",
            "judgements-TOTAL_FORMS": "0",
            "judgements-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "nobody may audit a case they are allocated to" in response.content.decode()
    assert not Audit.objects.exists()


def test_admin_creates_an_audit_for_another_auditor(admin_client, practitioner, auditor):
    template, _ = small_template()
    case = private_case(practitioner)
    response = admin_client.post(
        reverse("admin:audits_audit_add"),
        {
            "case": case.pk,
            "template": template.pk,
            "auditor": auditor.pk,
            "due_on": "2030-01-01",
            "judgements-TOTAL_FORMS": "0",
            "judgements-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    assert Audit.objects.get().auditor == auditor


def _template_post(template, criteria, text_of_first):
    data = {
        "name": template.name,
        "description": template.description,
        "criteria-TOTAL_FORMS": str(len(criteria)),
        "criteria-INITIAL_FORMS": str(len(criteria)),
        "criteria-MIN_NUM_FORMS": "0",
        "criteria-MAX_NUM_FORMS": "1000",
    }
    for i, c in enumerate(criteria):
        prefix = f"criteria-{i}-"
        data.update(
            {
                prefix + "id": c.pk,
                prefix + "template": template.pk,
                prefix + "code": c.code,
                prefix + "section": c.section,
                prefix + "order": c.order,
                prefix + "text": text_of_first if i == 0 else c.text,
                prefix + "guidance": c.guidance,
                prefix + "kind": c.kind,
                prefix + "applies_to": c.applies_to,
            }
        )
        if c.limiting:
            data[prefix + "limiting"] = "on"
    return data


def test_admin_save_of_a_template_in_use_makes_a_new_version_with_a_message(admin_client, practitioner, auditor):
    template, _ = small_template()
    audit_of(private_case(practitioner), auditor, template)
    criteria = list(template.criteria.order_by("order"))
    response = admin_client.post(
        reverse("admin:audits_audittemplate_change", args=[template.pk]),
        _template_post(template, criteria, "Reworded in the admin"),
        follow=True,
    )
    assert response.status_code == 200
    versions = list(AuditTemplate.objects.filter(slug=template.slug).order_by("version"))
    assert [(t.version, t.is_current) for t in versions] == [(1, False), (2, True)]
    assert versions[0].criteria.order_by("order").first().text == "The child's unique needs are analysed"
    assert versions[1].criteria.order_by("order").first().text == "Reworded in the admin"
    assert versions[1].criteria.get(code="needs").limiting is True
    assert "saved as a new version (2)" in response.content.decode()


def test_admin_save_of_an_unused_template_edits_it_in_place(admin_client):
    template, _ = small_template()
    criteria = list(template.criteria.order_by("order"))
    response = admin_client.post(
        reverse("admin:audits_audittemplate_change", args=[template.pk]),
        _template_post(template, criteria, "Reworded in place"),
    )
    assert response.status_code == 302
    assert AuditTemplate.objects.filter(slug=template.slug).count() == 1
    assert template.criteria.order_by("order").first().text == "Reworded in place"


def test_admin_refuses_a_new_template_with_a_slug_in_use(admin_client):
    template, _ = small_template()
    response = admin_client.post(
        reverse("admin:audits_audittemplate_add"),
        {
            "slug": template.slug,
            "name": "A second template of the same slug",
            "description": "",
            "criteria-TOTAL_FORMS": "0",
            "criteria-INITIAL_FORMS": "0",
            "criteria-MIN_NUM_FORMS": "0",
            "criteria-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 200  # the form again with a message, not an IntegrityError
    assert "already exists" in response.content.decode()
    assert AuditTemplate.objects.filter(slug=template.slug).count() == 1


def test_admin_keeps_the_case_and_template_of_an_audit_being_graded(admin_client, practitioner, auditor):
    template, criteria = small_template()
    other, _ = small_template(slug="other")
    audit = audit_of(private_case(practitioner), auditor, template, status="in_progress")
    Judgement.objects.create(audit=audit, criterion=criteria["needs"], grade=3)
    response = admin_client.post(
        reverse("admin:audits_audit_change", args=[audit.pk]),
        {
            "case": private_case(practitioner).pk,
            "template": other.pk,
            "auditor": auditor.pk,
            "due_on": "2030-01-01",
            "judgements-TOTAL_FORMS": "0",
            "judgements-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    audit.refresh_from_db()
    # The due date may be corrected; the judgements still answer this case's questions.
    assert audit.due_on.isoformat() == "2030-01-01"
    assert (audit.template_id, audit.case_id) == (template.pk, Judgement.objects.get().audit.case_id)


def test_admin_refuses_the_auditor_or_practitioner_as_moderator(admin_client, practitioner, auditor):
    audit = CompletedAuditFactory(case=private_case(practitioner), auditor=auditor)
    for person in (auditor, practitioner):
        response = admin_client.post(
            reverse("admin:audits_moderation_add"), {"audit": audit.pk, "moderator": person.pk}
        )
        assert response.status_code == 200
        assert "A moderator may not be the auditor or the practitioner" in response.content.decode()
    assert not Moderation.objects.exists()
    moderator = UserFactory(username="moderator", team=auditor.team, roles=["auditor"])
    response = admin_client.post(reverse("admin:audits_moderation_add"), {"audit": audit.pk, "moderator": moderator.pk})
    assert response.status_code == 302
    assert Moderation.objects.get().moderator == moderator


def test_admin_action_cancels_open_audits_and_leaves_completed_ones(admin_client, practitioner, auditor):
    template, _ = small_template()
    open_audit = audit_of(private_case(practitioner), auditor, template)
    done = CompletedAuditFactory(case=private_case(practitioner), auditor=auditor, template=template)
    response = admin_client.post(
        reverse("admin:audits_audit_changelist"),
        {"action": "cancel_audits", "_selected_action": [open_audit.pk, done.pk]},
        follow=True,
    )
    assert response.status_code == 200
    open_audit.refresh_from_db()
    done.refresh_from_db()
    assert (open_audit.status, done.status) == ("cancelled", "completed")
    assert open_audit.history.first().history_user.username == "root"


def test_admin_save_after_someone_elses_is_refused_and_writes_nothing(admin_client, practitioner, auditor):
    """The admin goes through the audit's optimistic lock too: the change form carries its version."""
    template, _ = small_template()
    audit = audit_of(private_case(practitioner), auditor, template, status="in_progress")
    url = reverse("admin:audits_audit_change", args=[audit.pk])
    assert 'name="opened_at_version" value="1"' in admin_client.get(url).content.decode()
    Audit.objects.filter(pk=audit.pk).update(rationale="Saved by the auditor meanwhile")  # version 1 -> 2
    data = {
        "case": audit.case_id,
        "template": template.pk,
        "auditor": auditor.pk,
        "due_on": "2030-01-01",
        "opened_at_version": "1",
        "judgements-TOTAL_FORMS": "0",
        "judgements-INITIAL_FORMS": "0",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "Someone else has saved this audit" in response.content.decode()
    audit.refresh_from_db()
    assert audit.due_on != datetime.date(2030, 1, 1)
    assert audit.version == 2 and audit.rationale == "Saved by the auditor meanwhile"
    response = admin_client.post(url, {**data, "opened_at_version": "2"})
    assert response.status_code == 302
    audit.refresh_from_db()
    assert (audit.due_on, audit.version) == (datetime.date(2030, 1, 1), 3)
