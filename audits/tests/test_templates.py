"""Templates as data: the shipped templates, and versioning when a template in use changes."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from audits.models import AuditTemplate, Criterion
from audits.services import template_criteria_rows, template_revise
from audits.template_data import TEMPLATES

from .grading_helpers import audit_of, private_case, small_template

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def shipped():
    """Run the data migration's installer (idempotent): a transactional test elsewhere may
    have flushed the rows the migration made when the test database was created."""
    migration = importlib.import_module("audits.migrations.0004_ship_templates")
    migration.install(django_apps, None)


def test_standard_and_domestic_abuse_templates_are_shipped_as_version_1():
    shipped = {t.slug: t for t in AuditTemplate.objects.filter(slug__in=["standard", "domestic-abuse"])}
    assert set(shipped) == {"standard", "domestic-abuse"}
    for data in TEMPLATES:
        template = shipped[data["slug"]]
        assert (template.version, template.is_current) == (1, True)
        assert list(template.criteria.values_list("code", flat=True)) == [c["code"] for c in data["criteria"]]


def test_installing_twice_changes_nothing():
    importlib.import_module("audits.migrations.0004_ship_templates").install(django_apps, None)
    assert AuditTemplate.objects.filter(slug__in=["standard", "domestic-abuse"]).count() == 2


def test_standard_template_has_the_diverse_needs_criterion_limiting_and_three_yes_no_questions():
    standard = AuditTemplate.objects.get(slug="standard", is_current=True)
    assert standard.criteria.get(code="diverse-needs").limiting is True
    assert set(standard.criteria.filter(kind="yes_no").values_list("code", flat=True)) == {
        "child-seen",
        "case-plan-day-10",
        "family-feedback",
    }
    assert standard.criteria.get(code="child-impact-framework").applies_to == "private"
    assert standard.criteria.get(code="pre-proceedings").applies_to == "public"
    assert standard.criteria.count() == 14


def test_editing_a_template_no_audit_uses_edits_it_in_place(auditor):
    template, _ = small_template()
    rows = template_criteria_rows(template)
    rows[0]["text"] = "Reworded question"
    result = template_revise(template=template, by=auditor, criteria=rows, name="Renamed")
    assert result.pk == template.pk
    assert (result.version, result.name) == (1, "Renamed")
    assert template.criteria.get(code="needs").text == "Reworded question"
    assert AuditTemplate.objects.filter(slug=template.slug).count() == 1


def test_editing_a_template_in_use_makes_a_new_version_and_old_audit_keeps_its_questions(client, practitioner, auditor):
    template, criteria = small_template()
    old_audit = audit_of(private_case(practitioner), auditor, template)
    rows = template_criteria_rows(template)
    rows[0]["text"] = "A new wording of the needs question"
    rows.append({**rows[1], "code": "feedback", "order": 99, "text": "Feedback is in the report"})

    new = template_revise(template=template, by=auditor, criteria=rows)

    assert new.pk != template.pk
    assert (new.slug, new.version, new.is_current) == (template.slug, 2, True)
    template.refresh_from_db()
    assert template.is_current is False
    assert Criterion.objects.get(pk=criteria["needs"].pk).text == "The child's unique needs are analysed"
    assert new.criteria.count() == 6
    # The old audit still renders the questions it was graded on.
    client.force_login(auditor)
    page = client.get(reverse("audits:section", args=[old_audit.pk, 1])).content.decode()
    assert "The child&#x27;s unique needs are analysed" in page
    assert "A new wording" not in page
    assert old_audit.template_id == template.pk


def test_shipped_templates_are_restored_after_a_flush():
    from audits.services.templates import templates_install_shipped

    AuditTemplate.objects.filter(slug__in=["standard", "domestic-abuse"], audits__isnull=True).delete()
    assert templates_install_shipped() == 2
    assert templates_install_shipped() == 0
    assert AuditTemplate.objects.get(slug="standard").criteria.count() == 14
