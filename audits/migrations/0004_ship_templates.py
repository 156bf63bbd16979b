"""Ship the standard and domestic abuse audit templates (version 1) from audits/template_data.py."""

from django.db import migrations

from audits.template_data import TEMPLATES, criteria_rows


def install(apps, schema_editor):
    AuditTemplate = apps.get_model("audits", "AuditTemplate")
    Criterion = apps.get_model("audits", "Criterion")
    for data in TEMPLATES:
        if AuditTemplate.objects.filter(slug=data["slug"]).exists():
            continue  # already installed (or revised since): never overwrite a live template
        template = AuditTemplate.objects.create(
            slug=data["slug"], version=1, name=data["name"], description=data["description"], is_current=True
        )
        Criterion.objects.bulk_create([Criterion(template=template, **row) for row in criteria_rows(data)])


def uninstall(apps, schema_editor):
    AuditTemplate = apps.get_model("audits", "AuditTemplate")
    slugs = [data["slug"] for data in TEMPLATES]
    # Only templates no audit uses: an audit keeps its template version forever.
    AuditTemplate.objects.filter(slug__in=slugs, version=1, audits__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("audits", "0003_audit_saved_by")]

    operations = [migrations.RunPython(install, uninstall)]
